with countries as (
    select * from {{ ref('ref_countries') }}
),

final as (
    select
        country_code::text as country_code,
        country_code_alpha2::text as country_code_alpha2,
        country_numeric::text as country_numeric,
        country_name::text as country_name
    from countries
)

select * from final
