"""Pages outside the admin and the API: one-click unsubscribe, and the jobs' health."""
