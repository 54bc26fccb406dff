package icon

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// Sizes of the files the generator writes.
var (
	// PNGSizes are the full-colour PNGs, STATE-SIZE.png.
	PNGSizes = []int{16, 24, 32, 48, 64, 256}
	// ICOSizes are the entries of each STATE.ico.
	ICOSizes = []int{16, 20, 24, 32, 40, 48, 64, 256}
)

// TemplateSize is the side of STATE-template.png (a 16 pt menu bar glyph
// at 2x).
const TemplateSize = 32

// File is one generated file: its name and the images it holds.
type File struct {
	Name   string
	Images []*image.NRGBA
}

// Files lists every file the generator writes, with its images.
func Files() []File {
	var fs []File
	for _, st := range States {
		// PNG and ICO share most sizes: draw each once.
		drawn := map[int]*image.NRGBA{}
		render := func(n int) *image.NRGBA {
			if drawn[n] == nil {
				drawn[n] = Render(st, n)
			}
			return drawn[n]
		}
		for _, n := range PNGSizes {
			fs = append(fs, File{Name: fmt.Sprintf("%s-%d.png", st, n), Images: []*image.NRGBA{render(n)}})
		}
		var ico []*image.NRGBA
		for _, n := range ICOSizes {
			ico = append(ico, render(n))
		}
		fs = append(fs, File{Name: st + ".ico", Images: ico})
		fs = append(fs, File{Name: st + "-template.png", Images: []*image.NRGBA{RenderTemplate(st, TemplateSize)}})
	}
	return fs
}

// Encode returns the bytes of f: a PNG, or an ICO for names ending in .ico.
func (f File) Encode() ([]byte, error) {
	if len(f.Name) > 4 && f.Name[len(f.Name)-4:] == ".ico" {
		return EncodeICO(f.Images)
	}
	if len(f.Images) != 1 {
		return nil, fmt.Errorf("icon: %s: a PNG holds one image, not %d", f.Name, len(f.Images))
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, f.Images[0]); err != nil {
		return nil, fmt.Errorf("icon: %s: %w", f.Name, err)
	}
	return b.Bytes(), nil
}

// Decode reads a file written by Encode back into its images.
func Decode(name string, data []byte) ([]*image.NRGBA, error) {
	if len(name) > 4 && name[len(name)-4:] == ".ico" {
		return DecodeICO(data)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("icon: %s: %w", name, err)
	}
	n, ok := img.(*image.NRGBA)
	if !ok {
		// A fully opaque image decodes as RGBA; convert it.
		b := img.Bounds()
		n = image.NewNRGBA(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				n.Set(x, y, img.At(x, y))
			}
		}
	}
	return []*image.NRGBA{n}, nil
}
