"""One model per section: `model(dataset, …) -> a frozen value` holding every figure of the
section with its unit, printed precision and provenance, and the sentences said about it.
The page, the overview, the briefing deck, the exports and the 数据检查 preview render it and
compute nothing of their own (see ../shared/docs/architecture.md, "one model per section")."""
