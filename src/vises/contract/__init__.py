"""The plugin contract: the hooks a plugin implements and the frozen records they return."""
