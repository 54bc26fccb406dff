package assets

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/magister-notify/magister-notify/assets/internal/icon"
)

// TestIconsUpToDate redraws every icon and compares it pixel by pixel with
// the committed file, so a change to the drawing without `go generate`
// fails here. Pixels, not bytes: PNG compression may differ between Go
// versions.
func TestIconsUpToDate(t *testing.T) {
	for _, f := range icon.Files() {
		data, err := files.ReadFile("icons/" + f.Name)
		if err != nil {
			t.Errorf("%s is missing: run go generate ./assets (%v)", f.Name, err)
			continue
		}
		got, err := icon.Decode(f.Name, data)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if len(got) != len(f.Images) {
			t.Errorf("%s holds %d images, want %d: run go generate ./assets", f.Name, len(got), len(f.Images))
			continue
		}
		for i, want := range f.Images {
			if got[i].Bounds() != want.Bounds() || !bytes.Equal(got[i].Pix, want.Pix) {
				t.Errorf("%s image %d (%v) differs from the drawing: run go generate ./assets", f.Name, i, want.Bounds())
			}
		}
	}
}

func TestAccessors(t *testing.T) {
	for _, st := range States {
		for _, n := range icon.PNGSizes {
			b := PNG(st, n)
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width != n || cfg.Height != n {
				t.Errorf("PNG(%s, %d): %v %dx%d", st, n, err, cfg.Width, cfg.Height)
			}
		}
		imgs, err := icon.DecodeICO(ICO(st))
		if err != nil || len(imgs) != len(icon.ICOSizes) {
			t.Fatalf("ICO(%s): %d images, %v", st, len(imgs), err)
		}
		for i, img := range imgs {
			if img.Bounds().Dx() != icon.ICOSizes[i] {
				t.Errorf("ICO(%s) entry %d is %d px, want %d", st, i, img.Bounds().Dx(), icon.ICOSizes[i])
			}
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(Template(st))); err != nil || cfg.Width != icon.TemplateSize {
			t.Errorf("Template(%s): %v", st, err)
		}
	}
	if PNG("nonsense", 16) != nil || ICO("nonsense") != nil || PNG(Normal, 17) != nil {
		t.Error("unknown icons should be nil")
	}
	if !bytes.Equal(AppIcon(), PNG(Normal, 64)) {
		t.Error("AppIcon is not the 64 px normal icon")
	}
}

// TestStatesDiffer guards against two states drawing the same picture, and
// checks that the template glyphs are black with alpha only.
func TestStatesDiffer(t *testing.T) {
	seen := map[string]string{}
	for _, st := range States {
		key := string(PNG(st, 16))
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s look the same at 16 px", st, other)
		}
		seen[key] = st
		img := icon.RenderTemplate(st, icon.TemplateSize)
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i+3] != 0 && (img.Pix[i] != 0 || img.Pix[i+1] != 0 || img.Pix[i+2] != 0) {
				t.Fatalf("template %s has a coloured pixel", st)
			}
		}
	}
}

func TestICORoundTrip(t *testing.T) {
	src := icon.Render(icon.Unread, 20)
	data, err := icon.EncodeICO(append(icon.Files()[0].Images, src))
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := icon.DecodeICO(data)
	if err != nil || len(imgs) != 2 || !bytes.Equal(imgs[1].Pix, src.Pix) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := icon.EncodeICO([]*image.NRGBA{image.NewNRGBA(image.Rect(0, 0, 300, 300))}); err == nil {
		t.Error("a 300 px entry was accepted")
	}
}
