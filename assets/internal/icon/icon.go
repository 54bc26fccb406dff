// Package icon draws the magister-notify status icons: a bell on a rounded
// square, in four states, at any size. Shapes are described in unit
// coordinates and rasterised with supersampling, so every size is drawn
// from the same geometry rather than scaled from a bitmap.
package icon

import (
	"image"
	"image/color"
	"math"
)

// States of the icon, in the order the generator writes them.
const (
	Normal    = "normal"
	Unread    = "unread"
	Attention = "attention"
	Paused    = "paused"
)

// States lists every state.
var States = []string{Normal, Unread, Attention, Paused}

// Colours of the full-colour icons.
var (
	blue  = color.NRGBA{0x1B, 0x64, 0xD6, 0xFF}
	red   = color.NRGBA{0xE5, 0x33, 0x2A, 0xFF}
	alert = color.NRGBA{0xC6, 0x28, 0x28, 0xFF}
	grey  = color.NRGBA{0x75, 0x7B, 0x84, 0xFF}
	white = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	black = color.NRGBA{0x00, 0x00, 0x00, 0xFF}
)

// shape reports whether the point (x, y), in units of the icon's width with
// y pointing down, is inside.
type shape func(x, y float64) bool

// layer paints colour where its shape is, or, when clear is set, erases
// what was painted before (a cut-out).
type layer struct {
	s     shape
	c     color.NRGBA
	clear bool
}

// samplesFor is the supersampling grid per pixel side: fine for the small
// sizes, where every edge pixel shows, coarser for the large ones.
func samplesFor(size int) int {
	if size > 64 {
		return 4
	}
	return 8
}

// Render draws state at size×size pixels in full colour, for Linux (PNG) and
// Windows (ICO).
func Render(state string, size int) *image.NRGBA {
	return raster(layers(state, false), size)
}

// RenderTemplate draws state as a black glyph whose alpha is all that
// counts, for the macOS menu bar (a "template image").
func RenderTemplate(state string, size int) *image.NRGBA {
	return raster(layers(state, true), size)
}

func layers(state string, template bool) []layer {
	if template {
		return templateLayers(state)
	}
	bg := blue
	switch state {
	case Paused:
		bg = grey
	case Attention:
		bg = alert
	}
	ls := []layer{{s: roundedSquare, c: bg}}
	switch state {
	case Attention:
		ls = append(ls, layer{s: exclamation(0.5, 0.5, 1), c: white})
	case Paused:
		ls = append(ls,
			layer{s: bell, c: white},
			layer{s: slash(0.1), c: bg},
			layer{s: slash(0.055), c: white})
	default:
		ls = append(ls, layer{s: bell, c: white})
	}
	if state == Unread {
		ls = append(ls,
			layer{s: circle(0.81, 0.19, 0.25), clear: true},
			layer{s: circle(0.81, 0.19, 0.18), c: red})
	}
	return ls
}

// templateLayers are the macOS glyphs: the bell alone, with a dot, with an
// exclamation mark beside it, or struck through.
func templateLayers(state string) []layer {
	ls := []layer{{s: bell, c: black}}
	switch state {
	case Unread:
		ls = append(ls,
			layer{s: circle(0.8, 0.2, 0.24), clear: true},
			layer{s: circle(0.8, 0.2, 0.17), c: black})
	case Attention:
		ls = append(ls,
			layer{s: circle(0.8, 0.75, 0.25), clear: true},
			layer{s: circle(0.8, 0.75, 0.2), c: black},
			layer{s: exclamation(0.8, 0.75, 0.38), clear: true})
	case Paused:
		ls = append(ls,
			layer{s: slash(0.1), clear: true},
			layer{s: slash(0.055), c: black})
	}
	return ls
}

// raster composites the layers with samples×samples coverage per pixel.
func raster(ls []layer, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	samples := samplesFor(size)
	n := float64(samples * samples)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			// Premultiplied accumulation of the layers, per pixel.
			var r, g, b, a float64
			for _, l := range ls {
				hit := 0
				for sy := 0; sy < samples; sy++ {
					for sx := 0; sx < samples; sx++ {
						x := (float64(px) + (float64(sx)+0.5)/float64(samples)) / float64(size)
						y := (float64(py) + (float64(sy)+0.5)/float64(samples)) / float64(size)
						if l.s(x, y) {
							hit++
						}
					}
				}
				cov := float64(hit) / n
				if cov == 0 {
					continue
				}
				if l.clear {
					r, g, b, a = r*(1-cov), g*(1-cov), b*(1-cov), a*(1-cov)
					continue
				}
				r = float64(l.c.R)*cov + r*(1-cov)
				g = float64(l.c.G)*cov + g*(1-cov)
				b = float64(l.c.B)*cov + b*(1-cov)
				a = 255*cov + a*(1-cov)
			}
			if a <= 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: unpremul(r, a), G: unpremul(g, a), B: unpremul(b, a), A: uint8(math.Round(a)),
			})
		}
	}
	return img
}

func unpremul(c, a float64) uint8 {
	v := math.Round(c * 255 / a)
	return uint8(min(255, max(0, v)))
}

// roundedSquare fills the icon with corners of radius 0.22.
func roundedSquare(x, y float64) bool {
	const r = 0.22
	cx := math.Min(math.Max(x, r), 1-r)
	cy := math.Min(math.Max(y, r), 1-r)
	return x >= 0 && x <= 1 && y >= 0 && y <= 1 && math.Hypot(x-cx, y-cy) <= r
}

func circle(cx, cy, r float64) shape {
	return func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r }
}

// bell is a dome, a body that flares towards a lip, a clapper and a knob.
func bell(x, y float64) bool {
	const cx = 0.5
	dx := math.Abs(x - cx)
	switch {
	case math.Hypot(x-cx, y-0.43) <= 0.21 && y <= 0.43: // dome
		return true
	case y >= 0.43 && y <= 0.68: // body, widening downwards
		t := (y - 0.43) / 0.25
		return dx <= 0.21+0.07*t*t
	case y > 0.68 && y <= 0.75: // lip
		return dx <= 0.3
	}
	return math.Hypot(x-cx, y-0.79) <= 0.085 || math.Hypot(x-cx, y-0.2) <= 0.05
}

// exclamation is an exclamation mark centred on (cx, cy), scale 1 filling
// most of the icon's height.
func exclamation(cx, cy, scale float64) shape {
	return func(x, y float64) bool {
		u, v := (x-cx)/scale, (y-cy)/scale
		if v >= -0.34 && v <= 0.12 {
			// A bar that narrows slightly towards the bottom.
			w := 0.085 - 0.025*(v+0.34)/0.46
			return math.Abs(u) <= w
		}
		return math.Hypot(u, v-0.26) <= 0.085
	}
}

// slash is a band of half-width w from the top left to the bottom right.
func slash(w float64) shape {
	return func(x, y float64) bool {
		d := math.Abs((x-0.14)-(y-0.14)) / math.Sqrt2
		return d <= w && x >= 0.1 && x <= 0.9 && y >= 0.1 && y <= 0.9
	}
}
