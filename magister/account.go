package magister

import (
	"context"
	"errors"
	"strings"
)

// Account is the logged-in person.
type Account struct {
	// ID is the person id used in every /personen/{id} path.
	ID int `json:"id"`
	// UUID is the account's GUID, if sent.
	UUID      string `json:"uuid,omitempty"`
	FirstName string `json:"firstName"`
	// LastName includes the infix ("de Vries").
	LastName string `json:"lastName"`
	// IsParent is true for a parent account (a Kinderen/Read privilege or
	// an Ouder group); its children are read with Children.
	IsParent bool `json:"isParent"`
}

// Name is the first and last name.
func (a Account) Name() string { return joinName(a.FirstName, a.LastName) }

// Child is a student whose data can be read: a parent's visible child, or the
// student account itself.
type Child struct {
	ID        int    `json:"id"`
	FirstName string `json:"firstName"`
	// LastName includes the infix ("de Vries").
	LastName string `json:"lastName"`
}

// Name is the first and last name.
func (c Child) Name() string { return joinName(c.FirstName, c.LastName) }

type rawPersoon struct {
	ID                 flexInt  `json:"id"`
	Roepnaam           flexText `json:"roepnaam"`
	Voornaam           flexText `json:"voornaam"`
	Tussenvoegsel      flexText `json:"tussenvoegsel"`
	Achternaam         flexText `json:"achternaam"`
	ZichtbaarVoorOuder flexBool `json:"zichtbaarVoorOuder"`
}

type rawAccount struct {
	UUID    flexText   `json:"uuid"`
	Persoon rawPersoon `json:"persoon"`
	Groep   []struct {
		Naam       flexText `json:"naam"`
		Privileges []struct {
			Naam       flexText   `json:"naam"`
			AccessType []flexText `json:"accessType"`
		} `json:"privileges"`
	} `json:"groep"`
}

func decodeAccount(body []byte) (Account, error) {
	raw, err := decodeObject[rawAccount](body)
	if err != nil {
		return Account{}, err
	}
	if raw.Persoon.ID <= 0 {
		return Account{}, errors.New("no Persoon.Id")
	}
	a := Account{
		ID:        int(raw.Persoon.ID),
		UUID:      string(raw.UUID),
		FirstName: firstNonEmpty(string(raw.Persoon.Roepnaam), string(raw.Persoon.Voornaam)),
		LastName:  joinName(string(raw.Persoon.Tussenvoegsel), string(raw.Persoon.Achternaam)),
	}
	for _, g := range raw.Groep {
		if strings.EqualFold(string(g.Naam), "Ouder") {
			a.IsParent = true
		}
		for _, p := range g.Privileges {
			if !strings.EqualFold(string(p.Naam), "Kinderen") {
				continue
			}
			for _, at := range p.AccessType {
				if strings.EqualFold(string(at), "Read") {
					a.IsParent = true
				}
			}
		}
	}
	return a, nil
}

func decodeChildren(body []byte) ([]Child, error) {
	raws, err := decodeItems[rawPersoon](body)
	if err != nil {
		return nil, err
	}
	children := []Child{}
	for _, r := range raws {
		if !r.ZichtbaarVoorOuder.or(true) || r.ID <= 0 {
			continue
		}
		children = append(children, Child{
			ID:        int(r.ID),
			FirstName: firstNonEmpty(string(r.Roepnaam), string(r.Voornaam)),
			LastName:  joinName(string(r.Tussenvoegsel), string(r.Achternaam)),
		})
	}
	return children, nil
}

// Account returns the logged-in account. It is read once per Client and
// cached for the Client's lifetime.
func (c *Client) Account(ctx context.Context) (Account, error) {
	c.mu.Lock()
	if c.account != nil {
		a := *c.account
		c.mu.Unlock()
		return a, nil
	}
	c.mu.Unlock()
	a, err := getAs(ctx, c, "GET /api/account", "/api/account", nil, decodeAccount)
	if err != nil {
		return Account{}, err
	}
	c.mu.Lock()
	c.account = &a
	c.mu.Unlock()
	return a, nil
}

// Children returns the students acct may read: for a parent the visible
// children from /personen/{id}/kinderen, for a student the student alone.
// The answer is cached for the Client's lifetime.
func (c *Client) Children(ctx context.Context, acct Account) ([]Child, error) {
	if !acct.IsParent {
		return []Child{{ID: acct.ID, FirstName: acct.FirstName, LastName: acct.LastName}}, nil
	}
	c.mu.Lock()
	if cached, ok := c.children[acct.ID]; ok {
		c.mu.Unlock()
		return append([]Child(nil), cached...), nil
	}
	c.mu.Unlock()
	children, err := getByID(ctx, c, "/api/personen/{id}/kinderen", acct.ID, nil, decodeChildren)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.children[acct.ID] = children
	c.mu.Unlock()
	return append([]Child(nil), children...), nil
}

// CurrentChildren reads the children the account may read afresh, past the
// cache (which it then updates): a long-running process learns of a child
// the school added without signing in again. For a student it is the
// student.
func (c *Client) CurrentChildren(ctx context.Context) ([]Child, error) {
	acct, err := c.Account(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	delete(c.children, acct.ID)
	c.mu.Unlock()
	return c.Children(ctx, acct)
}
