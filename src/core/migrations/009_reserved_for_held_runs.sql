-- Placeholder: number 009 belongs to the held-runs branch (issue 12, parts 1-2). This file only
-- keeps the numbering gapless on the multi-source branch; drop it when both are merged.
select 1;
