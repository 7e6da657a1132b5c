"""Output for people: the report (markdown, HTML, charts), exports and plots."""
