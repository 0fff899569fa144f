using Lightdash.Net.Backend.Models;
using Lightdash.Net.Backend.Results;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Services;

/// <summary>Tells the results store where a project's warehouse is, from the <c>projects</c> table.</summary>
public sealed class ProjectWarehouses(ProjectModel projects) : IProjectWarehouses
{
    /// <inheritdoc />
    public async Task<WarehouseConnection> ConnectionOfAsync(Guid projectUuid, CancellationToken cancellationToken) =>
        (await projects.GetAsync(projectUuid, cancellationToken)).Warehouse;
}
