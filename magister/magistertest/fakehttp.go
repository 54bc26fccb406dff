package magistertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// fakeHandler serves the controls under /_fake/ for scripts and other
// processes. Bodies are JSON; errors answer {"error":"..."} with 400 or 404.
func (s *School) fakeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_fake/grades", func(w http.ResponseWriter, r *http.Request) {
		var g GradeSpec
		if !decode(w, r, &g) {
			return
		}
		id, err := s.AddGrade(g)
		reply(w, http.StatusCreated, map[string]int{"kolomId": id}, err)
	})
	mux.HandleFunc("GET /_fake/grades", func(w http.ResponseWriter, r *http.Request) {
		gs := s.Grades(r.URL.Query().Get("child"))
		if gs == nil {
			reply(w, 0, nil, fmt.Errorf("magistertest: child %q: %w", r.URL.Query().Get("child"), ErrNotFound))
			return
		}
		reply(w, http.StatusOK, gs, nil)
	})
	mux.HandleFunc("POST /_fake/grades/{kolomId}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathInt(w, r, "kolomId")
		var body struct {
			Value string `json:"value"`
		}
		if !ok || !decode(w, r, &body) {
			return
		}
		reply(w, http.StatusOK, map[string]int{"kolomId": id}, s.CorrectGrade(id, body.Value))
	})
	mux.HandleFunc("POST /_fake/fail", func(w http.ResponseWriter, r *http.Request) {
		var f Failure
		if !decode(w, r, &f) {
			return
		}
		if err := f.validate(); err != nil {
			reply(w, 0, nil, err)
			return
		}
		s.Fail(f)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_fake/tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		s.ExpireAccessTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_fake/tokens/revoke", func(w http.ResponseWriter, r *http.Request) {
		s.RevokeRefreshTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, s.Requests(), nil)
	})
	mux.HandleFunc("DELETE /_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_fake/lessons/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathInt(w, r, "id")
		var body struct {
			Child string    `json:"child"`
			Start time.Time `json:"start"`
			Room  string    `json:"room"`
		}
		if !ok || !decode(w, r, &body) {
			return
		}
		var err error
		switch r.PathValue("action") {
		case "cancel":
			err = s.CancelLesson(body.Child, id)
		case "move":
			err = s.MoveLesson(body.Child, id, body.Start)
		case "room":
			err = s.ChangeRoom(body.Child, id, body.Room)
		default:
			http.NotFound(w, r)
			return
		}
		reply(w, http.StatusNoContent, nil, err)
	})
	mux.HandleFunc("GET /_fake/appointments", func(w http.ResponseWriter, r *http.Request) {
		as := s.Appointments(r.URL.Query().Get("child"))
		if as == nil {
			reply(w, 0, nil, fmt.Errorf("magistertest: child %q: %w", r.URL.Query().Get("child"), ErrNotFound))
			return
		}
		reply(w, http.StatusOK, as, nil)
	})
	mux.HandleFunc("POST /_fake/appointments", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Child string `json:"child"`
			AppointmentSpec
		}
		if !decode(w, r, &body) {
			return
		}
		id, err := s.AddAppointment(body.Child, body.AppointmentSpec)
		reply(w, http.StatusCreated, map[string]int{"id": id}, err)
	})
	mux.HandleFunc("DELETE /_fake/appointments/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathInt(w, r, "id"); ok {
			reply(w, http.StatusNoContent, nil, s.RemoveAppointment(r.URL.Query().Get("child"), id))
		}
	})
	mux.HandleFunc("POST /_fake/appointments/{id}/done", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathInt(w, r, "id")
		var body struct {
			Child string `json:"child"`
			Done  bool   `json:"done"`
		}
		if ok && decode(w, r, &body) {
			reply(w, http.StatusNoContent, nil, s.SetHomeworkDone(body.Child, id, body.Done))
		}
	})
	mux.HandleFunc("POST /_fake/messages", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Child   string `json:"child"`
			From    string `json:"from"`
			Subject string `json:"subject"`
		}
		if !decode(w, r, &body) {
			return
		}
		id, err := s.AddMessage(body.Child, body.From, body.Subject)
		reply(w, http.StatusCreated, map[string]int{"id": id}, err)
	})
	mux.HandleFunc("POST /_fake/refresh-token", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Login string `json:"login"`
		}
		if !decode(w, r, &body) {
			return
		}
		if body.Login == "" {
			body.Login = ParentLogin
		}
		t := s.IssueRefreshToken(body.Login)
		if t == "" {
			reply(w, 0, nil, fmt.Errorf("magistertest: login %q: %w", body.Login, ErrNotFound))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		reply(w, http.StatusOK, map[string]string{"refresh_token": t}, nil)
	})
	return mux
}

// decode reads a JSON body into v; an empty body leaves v as it is. It
// answers 400 and returns false on a malformed body or an unknown field.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "magistertest: body: " + err.Error()})
		return false
	}
	return true
}

func pathInt(w http.ResponseWriter, r *http.Request, name string) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "magistertest: " + name + " must be a number"})
		return 0, false
	}
	return n, true
}

// reply writes body with status, or the error with 404 (ErrNotFound) or 400.
func reply(w http.ResponseWriter, status int, body any, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, status, body)
	}
}
