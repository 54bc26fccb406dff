package installer

import "context"

// bundleNote says how macOS learns about the scheme.
const bundleNote = "on macOS the app bundle declares m6loapp:// addresses (CFBundleURLTypes in its Info.plist) and macOS registers it when the bundle is first opened; there is nothing to register"

func registerHandler(context.Context, handlerConfig) (Result, error) {
	return Result{Message: "Nothing to do: " + bundleNote + "."}, nil
}

func unregisterHandler(context.Context, handlerConfig) (Result, error) {
	return Result{Message: "Nothing to do: " + bundleNote + "; delete the app bundle to remove it."}, nil
}

func handlerStatus(context.Context, handlerConfig) (HandlerState, error) {
	return HandlerState{Note: bundleNote}, nil
}
