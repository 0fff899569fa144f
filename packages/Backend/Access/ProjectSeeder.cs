using Lightdash.Net.Warehouses;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>Writes the projects declared in configuration into the metadata database.</summary>
public sealed class ProjectSeeder(ProjectStore projects, IOptions<ProjectsOptions> options, ILogger<ProjectSeeder> logger)
{
    /// <summary>Creates or updates every configured project.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        foreach (var definition in options.Value.Items)
        {
            await projects.UpsertAsync(
                new Project(definition.ProjectUuid, definition.Name, new WarehouseConnection(definition.WarehouseType, definition.ConnectionString), definition.ResultsCacheTtl, definition.StatementTimeout, definition.CancelIfUnread, definition.RequireUserCredentials,
                    definition.MaxWarehouseStatements, definition.MaxSubmissionsPerMinute, definition.MaxSubmissionsPerMinutePerUser),
                cancellationToken);
            logger.LogInformation("Project {ProjectUuid} ({Name}, {WarehouseType}) configured", definition.ProjectUuid, definition.Name, definition.WarehouseType);
        }
    }
}
