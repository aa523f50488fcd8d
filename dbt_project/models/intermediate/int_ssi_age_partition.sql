-- One non-overlapping age partition per reported series (methodology §2.1, "Age groups never
-- add twice"). A series is one scheme × sex of the `contributors` sheet, or one scheme × risk ×
-- benefit type × sex of the `beneficiaries` sheet, of the current submission. A submission may
-- report 5-year groups and broad groups (Y0T14, Y15T64, Y_GE65, Y_GE15) for the same series;
-- validation has checked that they agree (as for `_T`). The numerators use, per life-cycle
-- segment (0–14, 15–64, 65+):
--   1. its 5-year groups when all of them are given (or some of them and no broad group);
--   2. else its broad group (Y0T14, Y15T64, Y_GE65);
--   3. else the part of Y_GE15 the other adult segment does not hold;
--   4. what `_T` holds beyond all that (persons of unreported ages) as one residual row spanning
--      the segments without complete detail;
--   5. a series with `_T` only is one row of all ages, `has_age_detail` false.
with current_submissions as (
    select submission_id from {{ ref('int_ssi_submissions_ranked') }}
    where is_current
),

reported_rows as (
    select
        'beneficiaries' as measure,
        b.submission_id,
        b.iso3,
        b.reference_year,
        b.scheme_id,
        b.risk,
        b.benefit_type,
        b.sex,
        b.age_group,
        b.age_lower,
        b.age_upper,
        b.beneficiaries as persons
    from {{ ref('stg_ssi__beneficiaries') }} as b
    inner join current_submissions as cs on b.submission_id = cs.submission_id
    union all
    select
        'contributors' as measure,
        c.submission_id,
        c.iso3,
        c.reference_year,
        c.scheme_id,
        '' as risk,
        '' as benefit_type,
        c.sex,
        c.age_group,
        {{ age_lower('c.age_group') }} as age_lower,
        {{ age_upper('c.age_group') }} as age_upper,
        c.active_contributors as persons
    from {{ ref('stg_ssi__contributors') }} as c
    inner join current_submissions as cs on c.submission_id = cs.submission_id
),

reported as (
    -- one key per series; codes first and the free-text scheme id last, so it is unambiguous
    select
        *,
        concat_ws('|', measure, submission_id, risk, benefit_type, sex, scheme_id) as series_key,
        age_group not in ('_T', 'Y0T14', 'Y15T64', 'Y_GE15', 'Y_GE65') as is_five_year
    from reported_rows
),

segments as (
    -- the three disjoint life-cycle segments and the broad group of each (§2.2 step 1)
    select
        'children' as segment,
        0 as seg_lower,
        14 as seg_upper,
        'Y0T14' as broad_group,
        3 as n_five_groups
    union all
    select
        'working',
        15,
        64,
        'Y15T64',
        10
    union all
    select
        'older',
        65,
        null,
        'Y_GE65',
        4
),

series as (
    select
        series_key,
        any_value(measure) as measure,
        any_value(submission_id) as submission_id,
        any_value(iso3) as iso3,
        any_value(reference_year) as reference_year,
        any_value(scheme_id) as scheme_id,
        any_value(risk) as risk,
        any_value(benefit_type) as benefit_type,
        any_value(sex) as sex,
        max(case when age_group = '_T' then persons end) as total_persons,
        max(case when age_group = 'Y_GE15' then persons end) as ge15_persons,
        count(*) filter (where age_group <> '_T') as n_age_rows
    from reported
    group by series_key
),

by_segment as (
    select
        s.series_key,
        g.segment,
        g.seg_lower,
        g.seg_upper,
        g.broad_group,
        g.n_five_groups,
        count(r.persons) filter (where r.is_five_year) as n_five_given,
        sum(r.persons) filter (where r.is_five_year) as five_persons,
        max(r.persons) filter (where r.age_group = g.broad_group) as broad_persons
    from series as s
    cross join segments as g
    left join reported as r
        on
            s.series_key = r.series_key
            and (
                (r.is_five_year and r.age_lower between g.seg_lower and coalesce(g.seg_upper, 999))
                or g.broad_group = r.age_group
            )
    group by all
),

resolved as (
    select
        *,
        case
            when n_five_given = n_five_groups then 'five_year'
            when broad_persons is not null then 'broad'
            when n_five_given > 0 then 'partial_five_year'
        end as resolution,
        case
            when n_five_given = n_five_groups or broad_persons is null then five_persons
            else broad_persons
        end as segment_persons
    from by_segment
),

adult_split as (
    -- Y_GE15 fills the adult segments that have no rows of their own
    select
        s.series_key,
        s.ge15_persons,
        w.resolution as working_resolution,
        o.resolution as older_resolution,
        w.segment_persons as working_persons,
        o.segment_persons as older_persons
    from series as s
    inner join resolved as w on s.series_key = w.series_key and w.segment = 'working'
    inner join resolved as o on s.series_key = o.series_key and o.segment = 'older'
    where s.ge15_persons is not null
),

ge15_rows as (
    select
        series_key,
        'Y_GE15' as age_group,
        15 as age_lower,
        null::integer as age_upper,
        ge15_persons as persons,
        'broad' as part
    from adult_split
    where working_resolution is null and older_resolution is null
    union all
    select
        series_key,
        'Y15T64 (Y_GE15 less Y_GE65)',
        15,
        64,
        greatest(ge15_persons - older_persons, 0),
        'broad'
    from adult_split
    where working_resolution is null and older_resolution is not null
    union all
    select
        series_key,
        'Y_GE65 (Y_GE15 less Y15T64)',
        65,
        null::integer,
        greatest(ge15_persons - working_persons, 0),
        'broad'
    from adult_split
    where working_resolution is not null and older_resolution is null
),

detail_rows as (
    select
        r.series_key,
        r.age_group,
        r.age_lower,
        r.age_upper,
        r.persons,
        'five_year' as part
    from reported as r
    inner join resolved as g
        on
            r.series_key = g.series_key
            and r.age_lower between g.seg_lower and coalesce(g.seg_upper, 999)
    where r.is_five_year and g.resolution in ('five_year', 'partial_five_year')
    union all
    select
        series_key,
        broad_group,
        seg_lower,
        seg_upper,
        broad_persons,
        'broad'
    from resolved
    where resolution = 'broad'
    union all
    select * from ge15_rows
),

residual_segments as (
    -- a segment is complete when its own rows, or Y_GE15 for an adult segment, account for it
    select
        r.series_key,
        r.segment,
        r.seg_lower,
        r.seg_upper,
        s.total_persons,
        coalesce(
            r.resolution in ('five_year', 'broad')
            or (r.segment <> 'children' and s.ge15_persons is not null),
            false
        ) as is_complete
    from resolved as r
    inner join series as s on r.series_key = s.series_key
    where s.n_age_rows > 0 and s.total_persons is not null
),

residual as (
    -- persons in `_T` beyond the detailed rows (ages not reported), spread over the segments
    -- whose detail is missing or incomplete
    select
        series_key,
        min(seg_lower) filter (where not is_complete) as age_lower,
        case
            when not bool_or(segment = 'older' and not is_complete)
                then max(seg_upper) filter (where not is_complete)
        end as age_upper,
        any_value(total_persons) as total_persons
    from residual_segments
    group by series_key
),

detail_totals as (
    select
        series_key,
        sum(persons) as detail_persons
    from detail_rows
    group by series_key
),

partition_rows as (
    select * from detail_rows
    union all
    select
        r.series_key,
        'residual of _T',
        r.age_lower,
        r.age_upper,
        r.total_persons - d.detail_persons,
        'residual'
    from residual as r
    inner join detail_totals as d on r.series_key = d.series_key
    where r.age_lower is not null and r.total_persons > d.detail_persons
    union all
    select
        series_key,
        '_T',
        0,
        null::integer,
        total_persons,
        'all_ages'
    from series
    where n_age_rows = 0
),

final as (
    select
        s.measure,
        s.submission_id,
        s.iso3,
        s.reference_year,
        s.scheme_id,
        nullif(s.risk, '') as risk,
        nullif(s.benefit_type, '') as benefit_type,
        s.sex,
        p.age_group,
        p.age_lower,
        p.age_upper,
        p.persons,
        p.part,
        s.n_age_rows > 0 as has_age_detail
    from partition_rows as p
    inner join series as s on p.series_key = s.series_key
)

select * from final
