package magister

import (
	"html"
	"strings"
)

// blockTags end a line when they open or close.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "ul": true, "ol": true, "tr": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "table": true, "blockquote": true,
}

// PlainText turns the small HTML fragments Magister uses for homework into
// plain text: tags dropped, block elements become line breaks, entities
// decoded, whitespace collapsed, script and style content removed.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return collapse(s)
	}
	var b strings.Builder
	skip := "" // inside <script> or <style>
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			if skip == "" {
				b.WriteString(s)
			}
			break
		}
		if skip == "" {
			b.WriteString(s[:i])
		}
		s = s[i:]
		if len(s) < 2 || !isTagStart(s[1]) {
			if skip == "" {
				b.WriteByte('<') // "3 < 4" is text
			}
			s = s[1:]
			continue
		}
		j := strings.IndexByte(s, '>')
		if j < 0 {
			if skip == "" {
				b.WriteString(s) // a lone "<" is text
			}
			break
		}
		tag := s[1:j]
		s = s[j+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/"))
		if k := strings.IndexAny(name, " \t\r\n/"); k >= 0 {
			name = name[:k]
		}
		switch {
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case !closing && (name == "script" || name == "style"):
			skip = name
		case blockTags[name]:
			b.WriteByte('\n')
		}
	}
	return collapse(html.UnescapeString(b.String()))
}

// collapse trims every line, squeezes runs of spaces and drops empty lines.
func collapse(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!'
}
