using Portal.Core.Audit;

namespace Portal.E2E.Gateway;

/// <summary>The Portal's authentication log, read from its database as the portal reads it.</summary>
public static class PortalLog
{
    /// <summary>One decision as the log keeps it, with the organization whose log it is filed in.</summary>
    public sealed record Decision(string? Method, string? Path, string Code, string Door, string? KeyHint, Guid? KeyId, Guid? OrganizationId);

    /// <summary>The decisions filed for <paramref name="path"/>, in any organization's log or in nobody's.</summary>
    public static IReadOnlyList<Decision> ForPath(NginxGateway gateway, string path)
    {
        using var connection = gateway.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Records, OrganizationId, KeyId FROM AuthenticationLogSegments";
        using var reader = command.ExecuteReader();
        var found = new List<Decision>();
        while (reader.Read())
        {
            // The segment's columns say whose log it is; times are not needed here.
            var segment = new AuthenticationLogSegment
            {
                Records = (byte[])reader["Records"],
                OrganizationId = reader.IsDBNull(1) ? null : Guid.Parse(reader.GetString(1)),
                KeyId = reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)),
            };
            found.AddRange(AuthenticationLogSegmentCodec.Decode(segment)
                .Where(r => r.Path == path)
                .Select(r => new Decision(r.Method, r.Path, r.Code, r.Door, r.KeyHint, r.KeyId, r.OrganizationId)));
        }

        return found;
    }

    /// <summary>Waits for the writer's next batch to file a decision for <paramref name="path"/>.</summary>
    public static Task<IReadOnlyList<Decision>> WaitForPathAsync(NginxGateway gateway, string path) =>
        NginxGateway.EventuallyAsync(() => ForPath(gateway, path) is { Count: > 0 } found ? found : null, $"a decision for {path} in the authentication log");

    /// <summary>
    /// Waits for a decision without a usable key: those are folded per client address, code and
    /// minute and written when the minute has ended (within about two minutes).
    /// </summary>
    public static Task<IReadOnlyList<Decision>> WaitForKeylessPathAsync(NginxGateway gateway, string path) =>
        NginxGateway.EventuallyAsync(() => ForPath(gateway, path) is { Count: > 0 } found ? found : null, $"a keyless decision for {path} in the authentication log", TimeSpan.FromMinutes(2.5));

    /// <summary>The id of the organization <paramref name="email"/> owns (its personal one).</summary>
    public static Guid PersonalOrganizationOf(NginxGateway gateway, string email)
    {
        using var connection = gateway.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PersonalOrganizationId FROM AspNetUsers WHERE NormalizedEmail = upper($email)";
        command.Parameters.AddWithValue("$email", email);
        return Guid.Parse((string)command.ExecuteScalar()!);
    }
}
