namespace Lightdash.Net.Backend.Options;

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
}
