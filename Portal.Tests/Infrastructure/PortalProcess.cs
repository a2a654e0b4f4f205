using System.Diagnostics;

namespace Portal.Tests.Infrastructure;

/// <summary>What a run of the Portal program printed and how it ended.</summary>
public sealed record ProcessOutcome(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>
/// Runs the built Portal program (Portal.dll beside the tests) as its own process, as an operator
/// would, on a data folder of the test's choosing.
/// </summary>
public static class PortalProcess
{
    public static async Task<ProcessOutcome> RunAsync(
        string dataDirectory,
        IEnumerable<string> arguments,
        string? adminPassword = null,
        string? standardInput = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Portal.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the test says: nothing inherited may point the program at another database.
        foreach (var inherited in start.Environment.Keys.Where(k =>
                     k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("Database__", StringComparison.Ordinal) ||
                     k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("Keys__", StringComparison.Ordinal) ||
                     k.StartsWith("Storage__", StringComparison.Ordinal) || k == "PORTAL_ADMIN_PASSWORD").ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["Storage__DataDirectory"] = Path.Combine(dataDirectory, "data");
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (adminPassword is not null)
        {
            start.Environment["PORTAL_ADMIN_PASSWORD"] = adminPassword;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();

        // A guard against a hung child, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Portal {string.Join(' ', arguments)} did not exit.");
        }

        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }
}
