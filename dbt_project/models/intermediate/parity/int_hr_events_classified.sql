with events as (
    select * from {{ ref('stg_warehouse__hr_events') }}
),

grades as (
    select * from {{ ref('ref_grades') }}
),

classified as (
    select
        events.submission_id,
        events.entity_code,
        extract(year from events.period_end)::integer as event_year,
        events.period_start,
        events.period_end,
        events.event_type,
        grades.staff_category,
        grades.canonical_level,
        grades.grade_rank as level_rank,
        events.sex,
        events.is_under_temporary_special_measures,
        events.event_count
    from events
    -- The level of an event is the grade it leads to (for a separation, the grade left).
    inner join grades on grades.grade_code = events.grade_to_code
),

final as (
    select * from classified
)

select * from final
