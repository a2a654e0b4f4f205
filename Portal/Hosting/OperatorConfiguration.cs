using Microsoft.Extensions.Configuration.Json;

namespace Portal.Hosting;

public static class OperatorConfiguration
{
    /// <summary>
    /// Loads the operator's appsettings.json from the repository top (copied beside the binary at
    /// build), ahead of environment-specific files, environment variables and arguments, so those
    /// still override it.
    /// </summary>
    public static void AddOperatorConfiguration(this WebApplicationBuilder builder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (!File.Exists(path))
        {
            return;
        }

        var source = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        var sources = ((IConfigurationBuilder)builder.Configuration).Sources;
        var contentRootFile = sources.OfType<JsonConfigurationSource>().FirstOrDefault(s => s.Path == "appsettings.json");
        var index = contentRootFile is null ? 0 : sources.IndexOf(contentRootFile);
        sources.Insert(index, source);
    }
}
