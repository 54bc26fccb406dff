//go:build !windows && !darwin

package tray

import (
	"bytes"
	"image"
	"image/png"

	"fyne.io/systray"

	"github.com/magister-notify/magister-notify/assets"
)

// iconSize is the one pixmap sent to the StatusNotifierItem host. The
// protocol allows several sizes, but systray (v1.12.2) sends exactly one
// (SetIcon decodes one image into a one-element IconPixmap), so the host
// always scales. Hosts draw the icon at their bar height less padding
// (gtk-sni-tray: 22 px on a 24 px bar, 14 px on a 16 px bar); looked at
// there, a 48 px source scales down cleanly to both, while 16 and 24 px
// sources are scaled by odd factors and smear, and 48 still covers 2x
// panels of 22 to 24 px.
const iconSize = 48

// setIcon shows the icon of state. StatusNotifierItem hosts take PNG
// (systray drops ICO silently).
func setIcon(state string) { systray.SetIcon(sniPNG(assets.PNG(state, iconSize))) }

// setTitle names the item for the desktop (the StatusNotifierItem Title and Id).
func setTitle(title string) { systray.SetTitle(title) }

// sniPNG re-encodes an icon so that systray sends its true colours.
// systray turns each pixel into the IconPixmap's ARGB bytes by taking the
// low byte of the 16-bit, alpha-premultiplied values of color.RGBA: right
// for opaque and clear pixels, noise for the half-transparent ones along
// every edge, which hosts draw as coloured specks. StatusNotifierItem
// wants straight (not premultiplied) 8-bit ARGB, so sniPNG writes a 16-bit
// PNG whose values premultiply to exactly those bytes. The D-Bus test reads
// the pixmap back and compares it with the drawing. On bad input it
// returns data unchanged.
func sniPNG(data []byte) []byte {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return data
	}
	src, ok := img.(*image.NRGBA)
	if !ok {
		return data
	}
	b := src.Bounds()
	out := image.NewNRGBA64(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.NRGBAAt(x, y)
			if c.A == 0 {
				continue
			}
			a := uint32(c.A) * 0x101 // the low byte is c.A
			v := func(want uint8) uint16 {
				// The least value that premultiplies to want: want*0xffff
				// / a rounded up, below 0xffff since want < a.
				return uint16((uint32(want)*0xffff + a - 1) / a)
			}
			o := out.PixOffset(x, y)
			for i, ch := range []uint16{v(c.R), v(c.G), v(c.B), uint16(a)} {
				out.Pix[o+2*i], out.Pix[o+2*i+1] = byte(ch>>8), byte(ch)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return data
	}
	return buf.Bytes()
}
