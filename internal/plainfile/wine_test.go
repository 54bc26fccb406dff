package plainfile

// Under Wine (make test-windows) winetest makes os.RemoveAll, and so the
// cleanup of t.TempDir, use a delete call Wine implements. Elsewhere the
// import changes nothing.
import _ "github.com/magister-notify/magister-notify/internal/winetest"
