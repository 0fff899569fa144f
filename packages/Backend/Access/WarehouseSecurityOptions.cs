using System.ComponentModel.DataAnnotations;
using Lightdash.Net.Warehouses.DuckDb;

namespace Lightdash.Net.Backend.Access;

/// <summary>What warehouse logins the backend accepts (section <c>WarehouseSecurity</c>).</summary>
public sealed class WarehouseSecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "WarehouseSecurity";

    /// <summary>
    /// Run queries through a PostgreSQL login that is a superuser, may create roles, or may read or
    /// write the server's files or run programs on it. Off by default: with such a login any developer
    /// can leave the warehouse. Turn it on only where every developer may administer the server anyway.
    /// </summary>
    public bool AllowPrivilegedLogins { get; set; }

    /// <summary>
    /// The most memory one embedded DuckDB database (a DuckDB project) may use in the backend's process,
    /// as DuckDB reads it (<c>2GB</c>, <c>512MiB</c>); default 2GB. DuckDB's own default is 80% of the
    /// machine. Past it a query fails with an error naming this setting.
    /// </summary>
    [RegularExpression(DuckDbLimits.MemoryLimitPattern, ErrorMessage = "WarehouseSecurity:DuckDbMemoryLimit must be a size such as 2GB or 512MiB.")]
    public string DuckDbMemoryLimit { get; set; } = DuckDbLimits.Default.MemoryLimit;

    /// <summary>How many threads one embedded DuckDB database's queries use (default 2).</summary>
    [Range(1, 256)]
    public int DuckDbThreads { get; set; } = DuckDbLimits.Default.Threads;
}
