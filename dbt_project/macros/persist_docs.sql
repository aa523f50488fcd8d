{#-
  Descriptions of models and columns as DuckDB comments (`+persist_docs` in dbt_project.yml), so
  that a statistician querying the warehouse reads them in `duckdb_tables()` and
  `duckdb_columns()`.

  dbt-duckdb writes them model by model inside each materialization: a query of the table's
  columns and two statements per model, each through dbt's query and event machinery, about
  45 ms of Python per model, 3 s of a full build of 66 models whose SQL takes well under a
  second (issue 13). On DuckDB the materialization therefore writes none, and the on-run-end
  hook writes them all at once for the models this invocation built: one query for the columns
  that exist and one batch of statements, in one transaction. Other adapters (Spark) keep dbt's
  own persist_docs.
-#}

{#- Called by every materialization: nothing on DuckDB (persist_docs_of_built_models does it). -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
{%- endmacro %}

{#- The on-run-end hook (dbt_project.yml): the comment statements for every model of `results`
    that was built successfully and asks for persisted docs. -#}
{% macro persist_docs_of_built_models(results) -%}
    {{ return(adapter.dispatch('persist_docs_of_built_models')(results)) }}
{%- endmacro %}

{% macro default__persist_docs_of_built_models(results) -%}
{%- endmacro %}

{% macro duckdb__persist_docs_of_built_models(results) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set built = [] -%}
    {%- for result in results
        if result.node.resource_type == 'model'
        and result.status == 'success'
        and result.node.config.materialized in ('table', 'view', 'incremental') -%}
        {%- do built.append(result.node) -%}
    {%- endfor -%}
    {%- if not built -%}{{ return('') }}{%- endif -%}

    {#- documented columns that the model does not return get no comment (as dbt-duckdb's own
        persist_docs): one catalog query for all of them -#}
    {%- set existing = {} -%}
    {%- for database in built | map(attribute='database') | unique -%}
        {%- set found = run_query(
            "select lower(schema_name || '.' || table_name || '.' || column_name) "
            ~ "from duckdb_columns() where database_name = '" ~ database | replace("'", "''") ~ "'") -%}
        {%- for row in found.rows -%}
            {%- do existing.update({database ~ '.' ~ row[0]: true}) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- set statements = [] -%}
    {%- for node in built -%}
        {%- set persist = node.config.persist_docs or {} -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias,
            type=('view' if node.config.materialized == 'view' else 'table')) -%}
        {%- if persist.get('relation') and node.description -%}
            {%- do statements.append(
                'comment on ' ~ relation.type ~ ' ' ~ relation ~ ' is '
                ~ duckdb_escape_comment(node.description)) -%}
        {%- endif -%}
        {%- if persist.get('columns') -%}
            {%- for name, column in node.columns.items() if column.description -%}
                {%- set key = (node.database ~ '.' ~ node.schema ~ '.' ~ node.alias ~ '.' ~ name) | lower -%}
                {%- if key in existing -%}
                    {%- do statements.append(
                        'comment on column ' ~ relation ~ '.' ~ adapter.quote(name) ~ ' is '
                        ~ duckdb_escape_comment(column.description)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {#- one transaction: DuckDB commits (and writes its log) once, not once per comment (0.4 s
        of autocommits for ~800 comments, 0.13 s in one); a failing statement leaves none -#}
    {%- if not statements -%}{{ return('') }}{%- endif -%}
    {{ return('begin transaction;\n' ~ (statements | join(';\n')) ~ ';\ncommit') }}
{%- endmacro %}
