with headcount as (
    select * from {{ ref('stg_warehouse__hr_headcount') }}
),

grades as (
    select * from {{ ref('ref_grades') }}
),

appointment_types as (
    select * from {{ ref('ref_appointment_types') }}
),

classified as (
    select
        headcount.submission_id,
        headcount.entity_code,
        headcount.snapshot_date,
        headcount.grade_code,
        grades.canonical_level,
        grades.grade_rank,
        grades.staff_category,
        grades.in_parity_scope,
        headcount.location_type,
        headcount.duty_station_country_code,
        headcount.sex,
        headcount.appointment_type,
        appointment_types.is_one_year_or_more,
        headcount.headcount
    from headcount
    inner join grades on grades.grade_code = headcount.grade_code
    inner join appointment_types on appointment_types.appointment_type = headcount.appointment_type
),

final as (
    select * from classified
)

select * from final
