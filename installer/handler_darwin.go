package installer

import "context"

// bundleNote says how macOS learns about the scheme.
const bundleNote = "on macOS the app bundle declares m6loapp:// addresses (CFBundleURLTypes in its Info.plist) and macOS registers it when the bundle is first opened; there is nothing to register"

func registerHandler(context.Context, handlerConfig) (Result, error) {
	return Result{}.Saying("Nothing to do: "+bundleNote+".", "Niets te doen: "+bundleNote+"."), nil
}

func unregisterHandler(context.Context, handlerConfig) (Result, error) {
	return Result{}.Saying("Nothing to do: "+bundleNote+"; delete the app bundle to remove it.",
		"Niets te doen: "+bundleNote+"; verwijder de app-bundel om het weg te halen."), nil
}

func handlerStatus(context.Context, handlerConfig) (HandlerState, error) {
	return HandlerState{Note: bundleNote}, nil
}
