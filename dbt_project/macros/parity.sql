{#- The parity rule, in one place. A population's women's share is women / (women + men): staff of other or
    unknown sex are shown but not in the denominator. It is at parity when the share lies within
    [share_min, share_max], both inclusive; below `small_below` staff, when no whole number of women lands in the
    band, the closest possible split counts (3 staff: 1 or 2 women). All arithmetic is exact (numeric). -#}

{% macro women_share(women, men) -%}
    case when ({{ women }}) + ({{ men }}) > 0
        then round(({{ women }})::numeric / (({{ women }}) + ({{ men }})), 6) end
{%- endmacro %}

{#- The counts of women at parity for a population of women + men, as an int4range (empty when none is). -#}
{% macro parity_women_range(women, men, share_min, share_max, small_below) -%}
    {%- set n -%}(({{ women }}) + ({{ men }}))::numeric{%- endset -%}
    {%- set lowest -%}ceil(({{ share_min }}) * {{ n }}){%- endset -%}
    {%- set highest -%}floor(({{ share_max }}) * {{ n }}){%- endset -%}
    case
        when {{ n }} = 0 then null
        when {{ lowest }} <= {{ highest }} then int4range({{ lowest }}::int, {{ highest }}::int, '[]')
        {#- No whole number in the band: `highest` women is just below it, `lowest` just above; the nearer wins,
            both on a tie. #}
        when {{ n }} >= ({{ small_below }}) then 'empty'::int4range
        {#- Distances to the band, times n, so that the comparison stays exact (4 of 9 and 5 of 9 tie). #}
        when ({{ share_min }}) * {{ n }} - {{ highest }} < {{ lowest }} - ({{ share_max }}) * {{ n }}
            then int4range({{ highest }}::int, {{ highest }}::int, '[]')
        when ({{ share_min }}) * {{ n }} - {{ highest }} > {{ lowest }} - ({{ share_max }}) * {{ n }}
            then int4range({{ lowest }}::int, {{ lowest }}::int, '[]')
        else int4range({{ highest }}::int, {{ lowest }}::int, '[]')
    end
{%- endmacro %}

{#- true, false, or null when there are no women and no men. -#}
{% macro is_at_parity(women, men, share_min, share_max, small_below) -%}
    ({{ parity_women_range(women, men, share_min, share_max, small_below) }}) @> ({{ women }})::int
{%- endmacro %}
