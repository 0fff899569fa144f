using Dapper;
using Lightdash.Net.Backend.Errors;
using Npgsql;

namespace Lightdash.Net.Backend.Models;

/// <summary>Reads and writes <c>saved_sql</c>: a project's saved SQL charts.</summary>
public sealed class SavedSqlModel(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        saved_sql_uuid AS SavedSqlUuid, project_uuid AS ProjectUuid, name AS Name, slug AS Slug, description AS Description,
        sql AS Sql, row_limit AS RowLimit, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = $"""
        INSERT INTO saved_sql (saved_sql_uuid, project_uuid, name, slug, description, sql, row_limit, created_by_user_uuid)
        VALUES (@SavedSqlUuid, @ProjectUuid, @Name, @Slug, @Description, @Sql, @RowLimit, @CreatedBy)
        ON CONFLICT (project_uuid, slug) DO NOTHING
        RETURNING {Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE saved_sql SET name = @Name, description = @Description, sql = @Sql, row_limit = @RowLimit, updated_at = now()
        WHERE project_uuid = @ProjectUuid AND saved_sql_uuid = @SavedSqlUuid
        RETURNING {Columns}
        """;

    private const string SelectSql = $"SELECT {Columns} FROM saved_sql WHERE project_uuid = @projectUuid AND (saved_sql_uuid = @uuid OR slug = @slug)";

    private const string ListSql = $"SELECT {Columns} FROM saved_sql WHERE project_uuid = @projectUuid ORDER BY name";

    private const string DeleteSql = "DELETE FROM saved_sql WHERE project_uuid = @projectUuid AND saved_sql_uuid = @uuid";

    /// <summary>A saved SQL chart.</summary>
    public sealed record SavedSql(Guid SavedSqlUuid, Guid ProjectUuid, string Name, string Slug, string? Description, string Sql, int? RowLimit, DateTime CreatedAt, DateTime UpdatedAt);

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
