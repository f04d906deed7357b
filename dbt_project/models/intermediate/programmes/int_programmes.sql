{#- One row per programme the warehouse holds rows for: its register attributes (the same on each register row,
    which the suite checks) and its participants by role. A programme with beneficiary or funding rows but no
    register rows yet is kept, marked not registered. -#}
with register as (
    select * from {{ ref('stg_warehouse__programme_register') }}
),

participants as (
    -- Names in byte order (collate "C"), so that the lists below read the same on every server.
    select
        programme_id,
        participating_role,
        participating_entity_code collate "C" as participating_entity_code,
        coalesce(participating_entity_code, participating_org) collate "C" as participant_name
    from {{ ref('int_programme_participants') }}
),

programme_ids as (
    select programme_id from register
    union
    select programme_id from {{ ref('stg_warehouse__programme_beneficiaries') }}
    union
    select programme_id from {{ ref('stg_warehouse__programme_funding') }}
),

attributes as (
    select distinct on (programme_id)
        programme_id,
        submission_id,
        programme_title,
        lead_entity_code,
        country_codes,
        start_date,
        end_date,
        unct_gem,
        dac_gender_marker,
        sdg_targets,
        region_codes,
        publisher_policy_markers
    from register
    order by programme_id, source_row
),

by_role as (
    select
        programme_id,
        string_agg(distinct participating_entity_code, ', ' order by participating_entity_code)
            as participating_entity_codes,
        string_agg(distinct participant_name, ', ' order by participant_name)
            filter (where participating_role = 'FUNDING') as funding_organisations,
        string_agg(distinct participant_name, ', ' order by participant_name)
            filter (where participating_role = 'IMPLEMENTING') as implementing_organisations,
        count(*) as participant_count
    from participants
    group by programme_id
),

final as (
    select
        ids.programme_id,
        attributes.programme_title,
        attributes.lead_entity_code,
        by_role.participating_entity_codes,
        by_role.funding_organisations,
        by_role.implementing_organisations,
        replace(attributes.country_codes, ';', ', ') as country_codes,
        coalesce(array_length(string_to_array(attributes.country_codes, ';'), 1), 0) as country_count,
        attributes.start_date,
        attributes.end_date,
        attributes.unct_gem,
        attributes.dac_gender_marker,
        replace(attributes.sdg_targets, ';', ', ') as sdg_targets,
        replace(attributes.region_codes, ';', ', ') as region_codes,
        attributes.publisher_policy_markers,
        attributes.programme_id is not null as is_registered,
        attributes.submission_id as register_submission_id
    from programme_ids as ids
    left join attributes using (programme_id)
    left join by_role using (programme_id)
)

select * from final
