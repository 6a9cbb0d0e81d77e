"""Khabar across articles: near-duplicate articles, one entity across spellings and articles,
story events (one happening reported by many outlets), and the exports built on them. The pure
parts (shingles, keys, matching) read no database; the rest works on a session the caller commits."""
