{#- Every country and territory a figure may name: ISO 3166-1 (pycountry's copy), and the territories IATI's
    Country codelist lists that ISO has no code for (XK Kosovo), kept under IATI's code. -#}
with countries as (
    select * from {{ ref('ref_countries') }}
),

territories as (
    select * from {{ ref('ref_iati_territories') }}
),

final as (
    select
        country_code::text as country_code,
        country_code_alpha2::text as country_code_alpha2,
        country_numeric::text as country_numeric,
        country_name::text as country_name,
        'ISO 3166-1'::text as code_list
    from countries
    union all
    select
        country_code::text,
        country_code::text,
        null::text,
        country_name::text,
        'IATI Country codelist'::text
    from territories
)

select * from final
