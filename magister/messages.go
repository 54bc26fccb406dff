package magister

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// inboxPath is the documented inbox list, used until a folder list says
// otherwise.
const inboxPath = "/api/berichten/postvakin/berichten"

// MessageFolder is one message folder (map).
type MessageFolder struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Unread   int    `json:"unread"`
	ParentID int    `json:"parentId,omitempty"`
	// MessagesPath is the API path of the folder's message list, when the
	// server sent a usable one (on the API host, under /api/).
	MessagesPath string `json:"messagesPath,omitempty"`
}

// Message is one message in a list: who sent it, about what, when.
type Message struct {
	ID             int       `json:"id"`
	Subject        string    `json:"subject"`
	From           string    `json:"from"`
	FromID         int       `json:"fromId,omitempty"`
	SentAt         time.Time `json:"sentAt"`
	Read           bool      `json:"read"`
	HasAttachments bool      `json:"hasAttachments,omitempty"`
	Priority       bool      `json:"priority,omitempty"`
	FolderID       int       `json:"folderId,omitempty"`
}

type rawHref struct {
	Href flexText `json:"href"`
}

type rawFolder struct {
	ID              flexInt  `json:"id"`
	Naam            flexText `json:"naam"`
	AantalOngelezen flexInt  `json:"aantalOngelezen"`
	BovenliggendeID flexInt  `json:"bovenliggendeId"`
	Links           struct {
		Berichten rawHref `json:"berichten"`
	} `json:"links"`
}

type rawMessage struct {
	ID        flexInt  `json:"id"`
	Onderwerp flexText `json:"onderwerp"`
	Afzender  struct {
		ID   flexInt  `json:"id"`
		Naam flexText `json:"naam"`
	} `json:"afzender"`
	VerzondenOp     flexTime `json:"verzondenOp"`
	IsGelezen       flexBool `json:"isGelezen"`
	HeeftBijlagen   flexBool `json:"heeftBijlagen"`
	HeeftPrioriteit flexBool `json:"heeftPrioriteit"`
	MapID           flexInt  `json:"mapId"`
}

// apiPath accepts a link only if it stays on the API host under /api/, so a
// bearer token is never sent elsewhere because of a link in a response.
func apiPath(apiURL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	if u.IsAbs() || u.Host != "" {
		base, err := url.Parse(apiURL)
		if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
			return ""
		}
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/api/") || strings.Contains(p, "..") {
		return ""
	}
	return p
}

func decodeFolders(body []byte, apiURL string) ([]MessageFolder, error) {
	return decodeList(body, func(r rawFolder) MessageFolder {
		return MessageFolder{
			ID:           int(r.ID),
			Name:         string(r.Naam),
			Unread:       int(r.AantalOngelezen),
			ParentID:     int(r.BovenliggendeID),
			MessagesPath: apiPath(apiURL, string(r.Links.Berichten.Href)),
		}
	})
}

func decodeMessages(body []byte) ([]Message, error) {
	return decodeList(body, rawMessage.message)
}

func (r rawMessage) message() Message {
	return Message{
		ID:             int(r.ID),
		Subject:        string(r.Onderwerp),
		From:           string(r.Afzender.Naam),
		FromID:         int(r.Afzender.ID),
		SentAt:         r.VerzondenOp.Time(),
		Read:           r.IsGelezen.or(false),
		HasAttachments: r.HeeftBijlagen.or(false),
		Priority:       r.HeeftPrioriteit.or(false),
		FolderID:       int(r.MapID),
	}
}

// MessageFolders returns the account's message folders with their unread
// counts. It also remembers the inbox's message-list link for
// UnreadMessages.
func (c *Client) MessageFolders(ctx context.Context) ([]MessageFolder, error) {
	folders, err := getAs(ctx, c, "GET /api/berichten/mappen/alle", "/api/berichten/mappen/alle", nil, func(b []byte) ([]MessageFolder, error) {
		return decodeFolders(b, c.school.APIURL)
	})
	if err != nil {
		return nil, err
	}
	if p := inboxOf(folders); p != "" {
		c.mu.Lock()
		c.inboxPath = p
		c.mu.Unlock()
	}
	return folders, nil
}

// inboxOf finds the inbox's list path: the folder named "Postvak IN", else
// the first top-level folder (Magister lists the inbox first).
func inboxOf(folders []MessageFolder) string {
	for _, f := range folders {
		if f.MessagesPath != "" && strings.EqualFold(strings.Join(strings.Fields(f.Name), ""), "postvakin") {
			return f.MessagesPath
		}
	}
	for _, f := range folders {
		if f.ParentID == 0 && f.MessagesPath != "" {
			return f.MessagesPath
		}
	}
	return ""
}

// UnreadMessages returns up to top (0 means 25) unread messages of the
// account's inbox, newest first. Messages belong to the logged-in account,
// not to a child: a parent sees the parent's inbox. It costs one request;
// when the documented inbox path is unknown (404) it finds the inbox through
// the folder list.
func (c *Client) UnreadMessages(ctx context.Context, top int) ([]Message, error) {
	if top <= 0 {
		top = 25
	}
	c.mu.Lock()
	path := c.inboxPath
	c.mu.Unlock()
	if path == "" {
		path = inboxPath
	}
	q := url.Values{"top": {strconv.Itoa(top)}, "skip": {"0"}, "gelezenStatus": {"ongelezen"}}
	const endpoint = "GET /api/berichten/{map}/berichten"
	msgs, err := getAs(ctx, c, endpoint, path, q, decodeMessages)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound && path == inboxPath {
		folders, ferr := c.MessageFolders(ctx)
		if ferr != nil {
			return nil, ferr
		}
		p := inboxOf(folders)
		if p == "" || p == inboxPath {
			return nil, err
		}
		msgs, err = getAs(ctx, c, endpoint, p, q, decodeMessages)
	}
	if err != nil {
		return nil, err
	}
	unread := msgs[:0]
	for _, m := range msgs {
		if !m.Read {
			unread = append(unread, m)
		}
	}
	return unread, nil
}
