using Dapper;
using Lightdash.Net.Backend.Platform;
using Npgsql;

namespace Lightdash.Net.Backend.Content;

/// <summary>Reads and writes <c>saved_sql</c>: a project's saved SQL charts.</summary>
public sealed class SavedSqlStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        saved_sql_uuid AS SavedSqlUuid, project_uuid AS ProjectUuid, name AS Name, slug AS Slug, description AS Description,
        sql AS Sql, row_limit AS RowLimit, created_at AS CreatedAt, updated_at AS UpdatedAt,
        columns::text AS ColumnsJson, columns_query_uuid AS ColumnsQueryUuid
        """;

    private const string InsertSql = $"""
        INSERT INTO saved_sql (saved_sql_uuid, project_uuid, name, slug, description, sql, row_limit, created_by_user_uuid)
        VALUES (@SavedSqlUuid, @ProjectUuid, @Name, @Slug, @Description, @Sql, @RowLimit, @CreatedBy)
        ON CONFLICT (project_uuid, slug) DO NOTHING
        RETURNING {Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE saved_sql SET name = @Name, description = @Description, sql = @Sql, row_limit = @RowLimit, updated_at = now(),
                             columns = CASE WHEN sql = @Sql THEN columns END
        WHERE project_uuid = @ProjectUuid AND saved_sql_uuid = @SavedSqlUuid
        RETURNING {Columns}
        """;

    private const string SelectSql = $"SELECT {Columns} FROM saved_sql WHERE project_uuid = @projectUuid AND (saved_sql_uuid = @uuid OR slug = @slug)";

    private const string ListSql = $"SELECT {Columns} FROM saved_sql WHERE project_uuid = @projectUuid ORDER BY name";

    private const string DeleteSql = "DELETE FROM saved_sql WHERE project_uuid = @projectUuid AND saved_sql_uuid = @uuid";

    // Conditional on the SQL: columns learnt for an older SQL are never kept.
    private const string SetColumnsQuerySql = """
        UPDATE saved_sql SET columns_query_uuid = @queryUuid, columns = NULL WHERE saved_sql_uuid = @uuid AND sql = @sql
        """;

    private const string SetColumnsSql = """
        UPDATE saved_sql SET columns = CAST(@columns AS jsonb) WHERE saved_sql_uuid = @uuid AND sql = @sql
        """;

    /// <summary>A saved SQL chart.</summary>
    /// <param name="SavedSqlUuid">Its id.</param>
    /// <param name="ProjectUuid">Its project.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Slug">Its short id in the project.</param>
    /// <param name="Description">What it shows.</param>
    /// <param name="Sql">The SQL it runs.</param>
    /// <param name="RowLimit">Its row limit, or null.</param>
    /// <param name="CreatedAt">When it was saved first.</param>
    /// <param name="UpdatedAt">When it was changed last.</param>
    /// <param name="ColumnsJson">Its SQL's columns (<see cref="Lightdash.Net.Common.ResultColumn"/> JSON), once known.</param>
    /// <param name="ColumnsQueryUuid">The query that learns them.</param>
    public sealed record SavedSql(
        Guid SavedSqlUuid, Guid ProjectUuid, string Name, string Slug, string? Description, string Sql, int? RowLimit, DateTime CreatedAt, DateTime UpdatedAt,
        string? ColumnsJson = null, Guid? ColumnsQueryUuid = null);

    /// <summary>Saves a new chart; 409 when the slug is taken in the project.</summary>
    public async Task<SavedSql> CreateAsync(SavedSql chart, Guid createdBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SavedSql>(new CommandDefinition(
                InsertSql,
                new { chart.SavedSqlUuid, chart.ProjectUuid, chart.Name, chart.Slug, chart.Description, chart.Sql, chart.RowLimit, CreatedBy = createdBy },
                cancellationToken: cancellationToken))
            ?? throw new ConflictException($"A SQL chart with slug {chart.Slug} already exists in this project.");
    }

    /// <summary>Changes a chart's name, description, SQL and limit; 404 when missing.</summary>
    public async Task<SavedSql> UpdateAsync(SavedSql chart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SavedSql>(new CommandDefinition(UpdateSql, chart, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"SQL chart {chart.SavedSqlUuid} does not exist in project {chart.ProjectUuid}.");
    }

    /// <summary>Records the query that learns the chart's columns (for this SQL).</summary>
    public async Task SetColumnsQueryAsync(Guid uuid, string sql, Guid queryUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetColumnsQuerySql, new { uuid, sql, queryUuid }, cancellationToken: cancellationToken));
    }

    /// <summary>Keeps the chart's columns (for this SQL).</summary>
    public async Task SetColumnsAsync(Guid uuid, string sql, string columns, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SetColumnsSql, new { uuid, sql, columns }, cancellationToken: cancellationToken));
    }

    /// <summary>The chart with this id or slug; 404 when missing.</summary>
    public async Task<SavedSql> GetAsync(Guid projectUuid, Guid? uuid, string? slug, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SavedSql>(new CommandDefinition(SelectSql, new { projectUuid, uuid, slug }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"SQL chart {(object?)uuid ?? slug} does not exist in project {projectUuid}.");
    }

    /// <summary>The project's charts, by name.</summary>
    public async Task<IReadOnlyList<SavedSql>> ListAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SavedSql>(new CommandDefinition(ListSql, new { projectUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Deletes a chart; 404 when missing.</summary>
    public async Task DeleteAsync(Guid projectUuid, Guid uuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid, uuid }, cancellationToken: cancellationToken)) == 0)
        {
            throw new NotFoundException($"SQL chart {uuid} does not exist in project {projectUuid}.");
        }
    }
}
