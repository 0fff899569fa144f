using System.Text.Json;
using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Reads and writes <c>project_model_versions</c>: the model files deployed to a project, one row per
/// version, and announces every deploy or refresh on <see cref="ChangedChannel"/> so that every
/// instance loads the project's explores again.
/// </summary>
public sealed class ModelVersionStore(NpgsqlDataSource dataSource)
{
    /// <summary>The PostgreSQL channel on which a project whose models changed is announced (payload: its id).</summary>
    public const string ChangedChannel = "lightdash_models_changed";

    // The project row is locked so that two deploys at once get consecutive versions; the
    // announcement is delivered when the deploy commits.
    private const string InsertSql = $"""
        WITH project AS (SELECT project_uuid FROM projects WHERE project_uuid = @ProjectUuid FOR UPDATE),
        inserted AS (
            INSERT INTO project_model_versions (project_uuid, version, files, explore_count, error_count, warning_count, deployed_by_user_uuid)
            SELECT project.project_uuid,
                   COALESCE((SELECT MAX(version) FROM project_model_versions v WHERE v.project_uuid = project.project_uuid), 0) + 1,
                   CAST(@FilesJson AS jsonb), @ExploreCount, @ErrorCount, @WarningCount, @DeployedBy
            FROM project
            RETURNING {VersionColumns})
        SELECT inserted.* FROM inserted, (SELECT count(pg_notify('{ChangedChannel}', @ProjectUuid::text)) FROM inserted) AS announced
        """;

    private const string VersionColumns = """
        version AS Version, explore_count AS ExploreCount, error_count AS ErrorCount, warning_count AS WarningCount,
        deployed_by_user_uuid AS DeployedBy, deployed_at AS DeployedAt
        """;

    private const string ListSql = $"SELECT {VersionColumns} FROM project_model_versions WHERE project_uuid = @projectUuid ORDER BY version DESC LIMIT @limit";

    private const string FilesSql = """
        SELECT version AS Version, files::text AS FilesJson FROM project_model_versions
        WHERE project_uuid = @projectUuid AND version = COALESCE(@version, (SELECT MAX(version) FROM project_model_versions WHERE project_uuid = @projectUuid))
        """;

    private const string AnnounceSql = $"SELECT pg_notify('{ChangedChannel}', @projectUuid::text)";

    private const string DeleteAllSql = $"""
        WITH deleted AS (DELETE FROM project_model_versions WHERE project_uuid = @projectUuid RETURNING version)
        SELECT count(*) FROM deleted, (SELECT count(pg_notify('{ChangedChannel}', @projectUuid::text)) FROM (SELECT 1) AS one) AS announced
        """;

    /// <summary>One deployed version, without its files.</summary>
    /// <param name="Version">Its number, from 1.</param>
    /// <param name="ExploreCount">How many explores its files loaded into.</param>
    /// <param name="ErrorCount">How many model errors they had.</param>
    /// <param name="WarningCount">How many warnings.</param>
    /// <param name="DeployedBy">Who deployed it.</param>
    /// <param name="DeployedAt">When.</param>
    public sealed record ModelVersion(int Version, int ExploreCount, int ErrorCount, int WarningCount, Guid? DeployedBy, DateTime DeployedAt);

    /// <summary>One file of a version.</summary>
    /// <param name="Path">Its path, relative to the project's model root.</param>
    /// <param name="Content">Its text.</param>
    public sealed record ModelFile(string Path, string Content);

    private sealed record FilesRow(int Version, string FilesJson);

    /// <summary>Stores the files as the project's next version and announces it; null when the project does not exist.</summary>
    public async Task<ModelVersion?> InsertAsync(
        Guid projectUuid, IReadOnlyList<ModelFile> files, int exploreCount, int errorCount, int warningCount, Guid? deployedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ModelVersion>(new CommandDefinition(
            InsertSql,
            new
            {
                ProjectUuid = projectUuid,
                FilesJson = JsonSerializer.Serialize(files),
                ExploreCount = exploreCount,
                ErrorCount = errorCount,
                WarningCount = warningCount,
                DeployedBy = deployedBy,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The project's versions, newest first.</summary>
    public async Task<IReadOnlyList<ModelVersion>> ListAsync(Guid projectUuid, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<ModelVersion>(new CommandDefinition(ListSql, new { projectUuid, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>The files of a version (the latest when <paramref name="version"/> is null), or null when there is none.</summary>
    public async Task<(int Version, IReadOnlyList<ModelFile> Files)?> GetFilesAsync(Guid projectUuid, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<FilesRow>(new CommandDefinition(FilesSql, new { projectUuid, version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : (row.Version, JsonSerializer.Deserialize<List<ModelFile>>(row.FilesJson) ?? []);
    }

    /// <summary>Deletes every deployed version (the project goes back to its configured folder, if any) and announces it; returns how many.</summary>
    public async Task<long> DeleteAllAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(DeleteAllSql, new { projectUuid }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Announces that the project's models changed (a refresh of its configured folder), so that every instance loads them again.</summary>
    public async Task AnnounceAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(AnnounceSql, new { projectUuid }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
