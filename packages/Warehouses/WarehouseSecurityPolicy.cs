namespace Lightdash.Net.Warehouses;

/// <summary>What a warehouse login may be. User SQL runs with the login's rights, so the login must not be able to leave the warehouse.</summary>
/// <param name="AllowPrivilegedLogins">
/// Run queries even through a login that is a superuser, may create roles, or may read or write the
/// server's files or run programs on it. Off by default: such a login lets any developer take over the server.
/// </param>
public sealed record WarehouseSecurityPolicy(bool AllowPrivilegedLogins = false)
{
    /// <summary>The safe default: privileged logins are refused.</summary>
    public static WarehouseSecurityPolicy Default { get; } = new();
}
