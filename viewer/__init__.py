"""Interactive window and headless video for characters (never imports torch)."""
