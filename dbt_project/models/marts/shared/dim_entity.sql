with entities as (
    select * from {{ ref('ref_entities') }}
),

final as (
    select
        entity_code::text as entity_code,
        entity_name::text as entity_name,
        entity_group::text as entity_group,
        nullif(parent_entity_code, '')::text as parent_entity_code,
        nullif(ceb_code, '')::text as ceb_code
    from entities
)

select * from final
