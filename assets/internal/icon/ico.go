package icon

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
)

// EncodeICO writes a Windows icon file holding imgs, which must be square
// and at most 256 pixels. Sizes below 256 are stored as 32-bit bitmaps, which
// every Windows version loads; 256 is stored as PNG, as Windows expects.
func EncodeICO(imgs []*image.NRGBA) ([]byte, error) {
	var data [][]byte
	for _, img := range imgs {
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if w != h || w < 1 || w > 256 {
			return nil, fmt.Errorf("icon: ico entry %dx%d: must be square, 1 to 256 pixels", w, h)
		}
		if w == 256 {
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				return nil, fmt.Errorf("icon: ico entry %d: %w", w, err)
			}
			data = append(data, b.Bytes())
			continue
		}
		data = append(data, dib(img))
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	put16 := func(v uint16) { out.Write(le.AppendUint16(nil, v)) }
	put32 := func(v uint32) { out.Write(le.AppendUint32(nil, v)) }
	put16(0) // reserved
	put16(1) // type: icon
	put16(uint16(len(imgs)))
	offset := 6 + 16*len(imgs)
	for i, img := range imgs {
		side := img.Bounds().Dx()
		dim := byte(side)
		if side == 256 {
			dim = 0 // 0 means 256
		}
		out.WriteByte(dim)
		out.WriteByte(dim)
		out.WriteByte(0) // no palette
		out.WriteByte(0) // reserved
		put16(1)         // planes
		put16(32)        // bits per pixel
		put32(uint32(len(data[i])))
		put32(uint32(offset))
		offset += len(data[i])
	}
	for _, d := range data {
		out.Write(d)
	}
	return out.Bytes(), nil
}

// dib is an icon bitmap: a BITMAPINFOHEADER of double height, the BGRA
// pixels bottom-up, then the 1-bit AND mask (set where fully transparent).
func dib(img *image.NRGBA) []byte {
	side := img.Bounds().Dx()
	var out bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 40)
	le.PutUint32(hdr[0:], 40)
	le.PutUint32(hdr[4:], uint32(side))
	le.PutUint32(hdr[8:], uint32(2*side))
	le.PutUint16(hdr[12:], 1)
	le.PutUint16(hdr[14:], 32)
	maskStride := ((side + 31) / 32) * 4
	le.PutUint32(hdr[20:], uint32(side*side*4+maskStride*side))
	out.Write(hdr)
	b := img.Bounds()
	for y := side - 1; y >= 0; y-- {
		for x := 0; x < side; x++ {
			c := img.NRGBAAt(b.Min.X+x, b.Min.Y+y)
			out.Write([]byte{c.B, c.G, c.R, c.A})
		}
	}
	for y := side - 1; y >= 0; y-- {
		row := make([]byte, maskStride)
		for x := 0; x < side; x++ {
			if img.NRGBAAt(b.Min.X+x, b.Min.Y+y).A == 0 {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		out.Write(row)
	}
	return out.Bytes()
}

// DecodeICO reads back what EncodeICO wrote (bitmap and PNG entries), for
// tests and for checking committed files.
func DecodeICO(data []byte) ([]*image.NRGBA, error) {
	le := binary.LittleEndian
	if len(data) < 6 || le.Uint16(data[0:]) != 0 || le.Uint16(data[2:]) != 1 {
		return nil, fmt.Errorf("icon: not an icon file")
	}
	n := int(le.Uint16(data[4:]))
	if len(data) < 6+16*n {
		return nil, fmt.Errorf("icon: truncated directory")
	}
	var out []*image.NRGBA
	for i := 0; i < n; i++ {
		e := data[6+16*i:]
		size, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		if off < 0 || size < 0 || off+size > len(data) {
			return nil, fmt.Errorf("icon: entry %d out of range", i)
		}
		body := data[off : off+size]
		if bytes.HasPrefix(body, []byte("\x89PNG")) {
			img, err := png.Decode(bytes.NewReader(body))
			if err != nil {
				return nil, fmt.Errorf("icon: entry %d: %w", i, err)
			}
			nrgba, ok := img.(*image.NRGBA)
			if !ok {
				return nil, fmt.Errorf("icon: entry %d: PNG is %T, want NRGBA", i, img)
			}
			out = append(out, nrgba)
			continue
		}
		if len(body) < 40 {
			return nil, fmt.Errorf("icon: entry %d: short bitmap", i)
		}
		side := int(le.Uint32(body[4:]))
		if int(le.Uint32(body[8:])) != 2*side || le.Uint16(body[14:]) != 32 || len(body) < 40+side*side*4 {
			return nil, fmt.Errorf("icon: entry %d: unsupported bitmap", i)
		}
		img := image.NewNRGBA(image.Rect(0, 0, side, side))
		px := body[40:]
		for y := side - 1; y >= 0; y-- {
			for x := 0; x < side; x++ {
				j := 4 * ((side-1-y)*side + x)
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = px[j+2], px[j+1], px[j], px[j+3]
			}
		}
		out = append(out, img)
	}
	return out, nil
}
