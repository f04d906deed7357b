{#- The parity rule, in one place. A population's women's share is women / (women + men): staff of other or
    unknown sex are shown but not in the denominator. It is at parity when its split lies within the band
    [share_min, share_max], both inclusive; or, when no split of its size is within the band (1, 3, 11, 13 or 15
    staff for 47-53%), when its split is the closest possible to the band (for a band around 50%, the closest to
    50/50: 5 or 6 women of 11, both on a tie). The women "needed" are the distance to the nearest split at parity.
    All arithmetic is on whole counts and exact numerics. -#}

{#- Shares are published with 9 decimals. A share w / n off a band edge given in thousandths is off it by at least
    1 / (1000 n), more than the 5e-10 of rounding for any population under 2 million: a published share never
    rounds onto an edge that its status says it misses (9,439 of 20,083 is 0.469999502, not 0.470000). -#}
{% macro women_share(women, men) -%}
    case when ({{ women }}) + ({{ men }}) > 0
        then round(({{ women }})::numeric / (({{ women }}) + ({{ men }})), 9) end
{%- endmacro %}

{#- The counts of women at parity for a population of women + men, as an int4range; null when it has neither. -#}
{% macro parity_women_range(women, men, share_min, share_max) -%}
    {%- set n -%}(({{ women }}) + ({{ men }}))::numeric{%- endset -%}
    {%- set lowest -%}ceil(({{ share_min }}) * {{ n }}){%- endset -%}
    {%- set highest -%}floor(({{ share_max }}) * {{ n }}){%- endset -%}
    case
        when {{ n }} = 0 then null
        when {{ lowest }} <= {{ highest }} then int4range({{ lowest }}::int, {{ highest }}::int, '[]')
        {#- No whole number in the band: `highest` women is just below it, `lowest` just above; the nearer wins,
            both on a tie. Distances to the band, times n, so that the comparison stays exact. #}
        when ({{ share_min }}) * {{ n }} - {{ highest }} < {{ lowest }} - ({{ share_max }}) * {{ n }}
            then int4range({{ highest }}::int, {{ highest }}::int, '[]')
        when ({{ share_min }}) * {{ n }} - {{ highest }} > {{ lowest }} - ({{ share_max }}) * {{ n }}
            then int4range({{ lowest }}::int, {{ lowest }}::int, '[]')
        else int4range({{ highest }}::int, {{ lowest }}::int, '[]')
    end
{%- endmacro %}

{#- true, false, or null when there are no women and no men. -#}
{% macro is_at_parity(women, men, share_min, share_max) -%}
    ({{ parity_women_range(women, men, share_min, share_max) }}) @> ({{ women }})::int
{%- endmacro %}

{#- The status of a population with `women` women, given its parity_women_range `range`. -#}
{% macro parity_status(women, range) -%}
    case
        when ({{ range }}) is null then 'no women or men'
        when ({{ range }}) @> ({{ women }})::int then 'at parity'
        when ({{ women }}) < lower({{ range }}) then 'below parity'
        else 'above parity'
    end
{%- endmacro %}

{#- Women who would have to take the place of men, at the same size, to reach parity (0 when not below). -#}
{% macro women_needed_for_parity(women, range) -%}
    case when ({{ women }}) < lower({{ range }}) then lower({{ range }}) - ({{ women }}) else 0 end
{%- endmacro %}

{#- Men who would have to take the place of women, at the same size, to reach parity (0 when not above). -#}
{% macro men_needed_for_parity(women, range) -%}
    case when ({{ women }}) >= upper({{ range }}) then ({{ women }}) - (upper({{ range }}) - 1) else 0 end
{%- endmacro %}
