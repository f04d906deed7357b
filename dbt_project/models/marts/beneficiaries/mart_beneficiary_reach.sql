{#- Whom each programme reaches: per indicator, period, place, unit and age group, the baseline, target and
    actual in total and by sex, actual against target, and the share of women and girls where the data allows.

    The total is the TOTAL row when there is one, else the sum of the sex rows. disaggregation_status says how
    far the sex rows account for it (of the actual values, else of the targets):
    - complete: F and M are given and the sex rows add up to the total, none of unknown sex;
    - complete with unknown sex: the same, but some of the total is of unknown sex (U);
    - incomplete: some of the total is not broken down by sex (or only one sex is given);
    - inconsistent: the sex rows add up to more than the total (the suite warned about it);
    - not disaggregated: only a total;
    - not applicable: percentages, whose sex rows are not parts of a total.
    The women's and girls' share is F / (F + M), as for staff: other (X) and unknown (U) sex are shown but outside
    it. It is given only when the breakdown accounts for the total (complete, with or without unknown sex), and
    never for percentages. -#}
with values_ as (
    select * from {{ ref('fct_programme_beneficiaries') }}
),

by_kind as (
    select
        programme_id,
        indicator_code,
        period_start,
        period_end,
        country_code,
        subnational_area,
        beneficiary_unit,
        age_group,
        value_kind,
        min(indicator_title) as indicator_title,
        max(value) filter (where sex = 'TOTAL') as total_given,
        sum(value) filter (where sex <> 'TOTAL') as sexes_sum,
        sum(value) filter (where sex = 'F') as women_girls,
        sum(value) filter (where sex = 'M') as men_boys,
        sum(value) filter (where sex in ('X', 'U')) as other_or_unknown,
        sum(value) filter (where sex = 'U') as unknown_sex
    from values_
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
),

classified as (
    select
        by_kind.*,
        -- Percentages do not add up: their total is only the TOTAL row, and no breakdown status applies.
        case when beneficiary_unit = 'PERCENT' then total_given else coalesce(total_given, sexes_sum) end as total,
        case
            when beneficiary_unit = 'PERCENT' then 'not applicable'
            when sexes_sum is null then 'not disaggregated'
            when total_given is not null and sexes_sum > total_given then 'inconsistent'
            when women_girls is not null and men_boys is not null
                and (total_given is null or sexes_sum = total_given)
                then case when unknown_sex > 0 then 'complete with unknown sex' else 'complete' end
            else 'incomplete'
        end as disaggregation_status
    from by_kind
),

pivoted as (
    select
        programme_id,
        indicator_code,
        period_start,
        period_end,
        country_code,
        subnational_area,
        beneficiary_unit,
        age_group,
        min(indicator_title) as indicator_title,
        max(total) filter (where value_kind = 'BASELINE') as baseline_total,
        max(total) filter (where value_kind = 'TARGET') as target_total,
        max(women_girls) filter (where value_kind = 'TARGET') as target_women_girls,
        max(total) filter (where value_kind = 'ACTUAL') as actual_total,
        max(women_girls) filter (where value_kind = 'ACTUAL') as actual_women_girls,
        max(men_boys) filter (where value_kind = 'ACTUAL') as actual_men_boys,
        max(other_or_unknown) filter (where value_kind = 'ACTUAL') as actual_other_or_unknown,
        coalesce(
            max(disaggregation_status) filter (where value_kind = 'ACTUAL'),
            max(disaggregation_status) filter (where value_kind = 'TARGET'),
            max(disaggregation_status)
        ) as disaggregation_status,
        bool_or(value_kind = 'ACTUAL') as has_actual
    from classified
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

final as (
    select
        programme_id::text as programme_id,
        indicator_code::text as indicator_code,
        indicator_title::text as indicator_title,
        period_start::date as period_start,
        period_end::date as period_end,
        country_code::text as country_code,
        subnational_area::text as subnational_area,
        beneficiary_unit::text as beneficiary_unit,
        age_group::text as age_group,
        baseline_total::numeric(21, 6) as baseline_total,
        target_total::numeric(21, 6) as target_total,
        target_women_girls::numeric(21, 6) as target_women_girls,
        actual_total::numeric(21, 6) as actual_total,
        actual_women_girls::numeric(21, 6) as actual_women_girls,
        actual_men_boys::numeric(21, 6) as actual_men_boys,
        actual_other_or_unknown::numeric(21, 6) as actual_other_or_unknown,
        round(actual_total / nullif(target_total, 0), 4)::numeric as actual_share_of_target,
        case
            when disaggregation_status in ('complete', 'complete with unknown sex') and has_actual
                then round(actual_women_girls / nullif(actual_women_girls + actual_men_boys, 0), 4)
        end::numeric(7, 4) as women_girls_share_of_actual,
        disaggregation_status::text as disaggregation_status,
        (disaggregation_status = 'complete')::boolean as is_sex_disaggregation_complete
    from pivoted
)

select * from final
