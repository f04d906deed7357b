{#- One row a day from 1990 to the end of next year: enough for every snapshot and period in the warehouse. -#}
with days as (
    select generate_series(
        date '1990-01-01',
        (date_trunc('year', current_date) + interval '2 years - 1 day')::date,
        interval '1 day'
    )::date as date_day
),

final as (
    select
        date_day::date as date_day,
        extract(year from date_day)::integer as year,
        extract(quarter from date_day)::integer as quarter,
        extract(month from date_day)::integer as month,
        (date_day = (date_trunc('year', date_day) + interval '1 year - 1 day')::date)::boolean as is_year_end,
        (date_day = (date_trunc('month', date_day) + interval '1 month - 1 day')::date)::boolean as is_month_end
    from days
)

select * from final
