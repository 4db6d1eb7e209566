-- The resume's own vocabulary (names, companies, technologies, spoken forms), stored with its version,
-- and a full-text vector over every item's whole text (highlights included), weighted by field:
-- A title, B role/summary/description/degree/details/venue and technologies, C highlights.
ALTER TABLE owners ADD COLUMN IF NOT EXISTS vocabulary jsonb;

UPDATE content SET search =
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', description || ' ' || array_to_string(technologies, ' ')), 'B')
    || setweight(to_tsvector('english', coalesce(
        (SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(body -> 'highlights') = 'array' THEN body -> 'highlights' ELSE '[]'::jsonb END
        ) AS h), '')), 'C');
