{#- A total in US dollars of the records matching `condition`: 0 when there are none, the sum of those converted
    otherwise, and empty (never 0) when none of them could be converted. How much could not be converted is said
    beside it (unconverted_amounts). -#}
{% macro usd_total(condition) -%}
    case
        when count(*) filter (where {{ condition }}) = 0 then 0
        else sum(usd_amount) filter (where {{ condition }})
    end
{%- endmacro %}
