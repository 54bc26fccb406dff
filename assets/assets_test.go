package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
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

func TestStatesAreTheDrawnOnes(t *testing.T) {
	if !slices.Equal(States, icon.States) {
		t.Errorf("assets.States %v, icon.States %v", States, icon.States)
	}
}

// TestMargin checks the empty border of about a sixteenth around every
// icon, and that the square still reaches it: the icon neither touches its
// neighbours in a panel nor wastes space.
func TestMargin(t *testing.T) {
	for _, st := range States {
		for _, n := range icon.PNGSizes {
			img := icon.Render(st, n)
			m := icon.Margin(n)
			if m < 1 || m > n/16+1 {
				t.Fatalf("Margin(%d) = %d, want about %d", n, m, n/16)
			}
			for y := range n {
				for x := range n {
					inside := x >= m && x < n-m && y >= m && y < n-m
					if a := img.NRGBAAt(x, y).A; !inside && a != 0 {
						t.Fatalf("%s at %d px: pixel (%d,%d) in the %d px margin has alpha %d", st, n, x, y, m, a)
					}
				}
			}
			if img.NRGBAAt(m, n/2).A != 255 || img.NRGBAAt(n/2, m).A != 255 {
				t.Errorf("%s at %d px: the square does not reach the margin", st, n)
			}
		}
		tm := icon.RenderTemplate(st, icon.TemplateSize)
		m := icon.Margin(icon.TemplateSize)
		for i := range icon.TemplateSize {
			for _, p := range [][2]int{{i, 0}, {0, i}, {i, icon.TemplateSize - 1}, {icon.TemplateSize - 1, i}, {i, m - 1}, {m - 1, i}} {
				if tm.NRGBAAt(p[0], p[1]).A != 0 {
					t.Fatalf("template %s: pixel %v in the margin is drawn", st, p)
				}
			}
		}
	}
}

// Panel colours to judge the small icons on.
var (
	lightBar = color.NRGBA{0xED, 0xED, 0xED, 0xFF}
	darkBar  = color.NRGBA{0x2B, 0x2B, 0x2B, 0xFF}
)

// TestLegibleOnLightAndDarkBars: at 16 and 24 px, on a light and on a dark
// panel, at least a fifth of every icon stands out from the panel (contrast
// of 4.5:1, the WCAG level for text), so that it reads. The earlier drawing
// failed it: its grey paused icon on a light panel (0%), its red attention
// square on a dark one (9%). The new ones measure 25% to 63%.
func TestLegibleOnLightAndDarkBars(t *testing.T) {
	for _, st := range States {
		for _, n := range []int{16, 24} {
			img := icon.Render(st, n)
			m := icon.Margin(n)
			area := float64((n - 2*m) * (n - 2*m))
			for _, bar := range []color.NRGBA{lightBar, darkBar} {
				strong := 0
				for y := range n {
					for x := range n {
						if contrast(over(img.NRGBAAt(x, y), bar), bar) >= 4.5 {
							strong++
						}
					}
				}
				if f := float64(strong) / area; f < 0.2 {
					t.Errorf("%s at %d px on %v: %.0f%% of the icon stands out, want 35%%", st, n, bar, 100*f)
				}
			}
		}
	}
}

// over composites c onto an opaque background.
func over(c, bg color.NRGBA) color.NRGBA {
	a := float64(c.A) / 255
	mix := func(f, b uint8) uint8 { return uint8(math.Round(float64(f)*a + float64(b)*(1-a))) }
	return color.NRGBA{mix(c.R, bg.R), mix(c.G, bg.G), mix(c.B, bg.B), 0xFF}
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.NRGBA) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
