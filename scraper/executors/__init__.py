"""Where the work runs: in this process (``local``) or on a Ray cluster (``ray``).

Both run the same steps on the same units of work, so they give the same records:
a crawl is cut into shards, one per registrable domain (politeness stays inside one
worker); an archive rebuild into one scan per WARC file."""
