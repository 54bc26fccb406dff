package installer

import "context"

func (h handlerConfig) class() urlClass {
	return urlClass{reg: winRegistry{}, command: handlerCommand(h.exe, h.stateDir, fileExists)}
}

func registerHandler(_ context.Context, h handlerConfig) (Result, error) {
	return h.class().register(h.force)
}

func unregisterHandler(_ context.Context, h handlerConfig) (Result, error) {
	return h.class().unregister()
}

func handlerStatus(_ context.Context, h handlerConfig) (HandlerState, error) {
	return h.class().status()
}
