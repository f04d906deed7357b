with grades as (
    select * from {{ ref('ref_grades') }}
),

final as (
    select
        grade_code::text as grade_code,
        grade_name::text as grade_name,
        staff_category::text as staff_category,
        canonical_level::text as canonical_level,
        grade_rank::integer as grade_rank,
        in_parity_scope::boolean as in_parity_scope,
        nullif(only_entities, '')::text as only_entities
    from grades
)

select * from final
