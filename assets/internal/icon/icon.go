// Package icon draws the magister-notify status icons: a bell on a rounded
// square, with badges for the states, at any size. Shapes are described in unit
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
	Normal          = "normal"
	Unread          = "unread"
	Attention       = "attention"
	AttentionUnread = "attention-unread"
	Paused          = "paused"
)

// States lists every state.
var States = []string{Normal, Unread, Attention, AttentionUnread, Paused}

// Colours of the full-colour icons.
var (
	blue   = color.NRGBA{0x1B, 0x64, 0xD6, 0xFF}
	red    = color.NRGBA{0xE5, 0x33, 0x2A, 0xFF}
	amber  = color.NRGBA{0xFF, 0xB0, 0x00, 0xFF}
	ink    = color.NRGBA{0x1F, 0x24, 0x2B, 0xFF}
	silver = color.NRGBA{0xB4, 0xBD, 0xC8, 0xFF}
	slate  = color.NRGBA{0x3A, 0x43, 0x4F, 0xFF}
	white  = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	black  = color.NRGBA{0x00, 0x00, 0x00, 0xFF}
)

// shape reports whether the point (x, y), in units of the glyph's width with
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

// Margin is the empty border, in pixels, around the glyph of a size×size
// icon: a sixteenth of the side, rounded down to whole pixels so that the
// square's edges stay sharp, and at least one, so that the icon never
// touches its neighbours in a panel.
func Margin(size int) int { return max(1, size/16) }

// Render draws state at size×size pixels in full colour, for Linux (PNG) and
// Windows (ICO).
func Render(state string, size int) *image.NRGBA {
	return raster(layers(state), size)
}

// RenderTemplate draws state as a black glyph whose alpha is all that
// counts, for the macOS menu bar (a "template image").
func RenderTemplate(state string, size int) *image.NRGBA {
	return raster(templateLayers(state), size)
}

// Badges sit in the corners of the square, each cut free of what is under
// it by a transparent ring: the unread dot top right, the state (attention
// or paused) bottom right, so that both can show at once. Their centres and
// radii fall on whole and half pixels at 16 and 24 px, where blur would
// hurt most; the bell moves a little to the left to make room for a state
// badge.
const (
	dotX, dotY, dotR       = 0.82, 0.18, 0.18
	badgeX, badgeY, badgeR = 0.75, 0.75, 0.25
	ring                   = 0.075
	bellShift              = -0.07
)

// layers are the full-colour pictures: the app's white bell on a blue
// square, with badges. Paused turns the square light grey and the bell dark,
// which reads on light and dark panels alike, and adds a pause badge.
func layers(state string) []layer {
	bg, fg := blue, white
	if state == Paused {
		bg, fg = silver, slate
	}
	ls := []layer{{s: roundedSquare, c: bg}, {s: bellFor(state), c: fg}}
	if state == AttentionUnread {
		// The sliver of square between the two badges reads as noise at
		// 16 px: clear it.
		ls = append(ls, layer{s: gap, clear: true})
	}
	if state == Unread || state == AttentionUnread {
		ls = append(ls,
			layer{s: circle(dotX, dotY, dotR+ring), clear: true},
			layer{s: circle(dotX, dotY, dotR), c: red})
	}
	switch state {
	case Attention, AttentionUnread:
		ls = append(ls,
			layer{s: circle(badgeX, badgeY, badgeR+ring), clear: true},
			layer{s: circle(badgeX, badgeY, badgeR), c: amber},
			layer{s: exclamation(badgeX, badgeY, badgeR), c: ink})
	case Paused:
		ls = append(ls,
			layer{s: circle(badgeX, badgeY, badgeR+ring), clear: true},
			layer{s: circle(badgeX, badgeY, badgeR), c: slate},
			layer{s: pauseBars(badgeX, badgeY, badgeR), c: white})
	}
	return ls
}

// templateLayers are the macOS glyphs: the same bell and badges in black,
// the marks inside the badges cut out.
func templateLayers(state string) []layer {
	ls := []layer{{s: bellFor(state), c: black}}
	if state == AttentionUnread {
		ls = append(ls, layer{s: gap, clear: true})
	}
	if state == Unread || state == AttentionUnread {
		ls = append(ls,
			layer{s: circle(dotX, dotY, dotR+ring), clear: true},
			layer{s: circle(dotX, dotY, dotR), c: black})
	}
	var mark shape
	switch state {
	case Attention, AttentionUnread:
		mark = exclamation(badgeX, badgeY, badgeR)
	case Paused:
		mark = pauseBars(badgeX, badgeY, badgeR)
	}
	if mark != nil {
		ls = append(ls,
			layer{s: circle(badgeX, badgeY, badgeR+ring), clear: true},
			layer{s: circle(badgeX, badgeY, badgeR), c: black},
			layer{s: mark, clear: true})
	}
	return ls
}

// raster composites the layers with samples×samples coverage per pixel.
func raster(ls []layer, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	samples := samplesFor(size)
	n := float64(samples * samples)
	m := float64(Margin(size))
	side := float64(size) - 2*m
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			// Premultiplied accumulation of the layers, per pixel.
			var r, g, b, a float64
			for _, l := range ls {
				hit := 0
				for sy := 0; sy < samples; sy++ {
					for sx := 0; sx < samples; sx++ {
						x := (float64(px) + (float64(sx)+0.5)/float64(samples) - m) / side
						y := (float64(py) + (float64(sy)+0.5)/float64(samples) - m) / side
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

// gap is the part of the square right of the bell between the unread dot
// and the state badge.
func gap(x, y float64) bool { return x >= badgeX && y >= dotY && y <= badgeY }

// bellFor is the bell of state: moved left when a state badge takes the
// bottom right corner, so that the badge covers only the tip of its lip.
func bellFor(state string) shape {
	if state == Normal || state == Unread {
		return bell
	}
	return func(x, y float64) bool { return bell(x-bellShift, y) }
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

// exclamation is an exclamation mark that fills most of the circle of
// radius r around (cx, cy): a bar and a dot.
func exclamation(cx, cy, r float64) shape {
	return func(x, y float64) bool {
		u, v := (x-cx)/r, (y-cy)/r
		if v >= -0.62 && v <= 0.14 {
			return math.Abs(u) <= 0.16
		}
		return math.Hypot(u, v-0.55) <= 0.2
	}
}

// pauseBars are the two upright bars of a pause sign in the circle of
// radius r around (cx, cy).
func pauseBars(cx, cy, r float64) shape {
	return func(x, y float64) bool {
		u, v := (x-cx)/r, (y-cy)/r
		return math.Abs(v) <= 0.5 && math.Abs(u) >= 0.14 && math.Abs(u) <= 0.43
	}
}
