{#- How a rating moved from an earlier one, on the scale's ranks (ref_swap_rating_scale): improved, declined or
    unchanged; 'not comparable' when either is not applicable; `none_text` when there is no earlier rating. -#}
{% macro rating_change(earlier_rank, earlier_is_rated, later_rank, later_is_rated, none_text) %}
    case
        when {{ earlier_is_rated }} is null then '{{ none_text }}'
        when not {{ earlier_is_rated }} or not {{ later_is_rated }} then 'not comparable'
        when {{ later_rank }} > {{ earlier_rank }} then 'improved'
        when {{ later_rank }} < {{ earlier_rank }} then 'declined'
        else 'unchanged'
    end
{% endmacro %}
