using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Results;

/// <summary>Where a project's warehouse is, for the results store that re-fetches pages from it (provided from outside: Results knows no history or project table).</summary>
public interface IProjectWarehouses
{
    /// <summary>The project's warehouse connection; throws when the project does not exist.</summary>
    Task<WarehouseConnection> ConnectionOfAsync(Guid projectUuid, CancellationToken cancellationToken);
}
