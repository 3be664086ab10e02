using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Configuration;

namespace Stratus.Serving.Onnx;

/// <summary>Chooses the execution provider a new session runs on.</summary>
public interface IExecutionProviderSelector
{
    /// <summary>Appends the provider to <paramref name="options"/> and returns its name as logged and reported.</summary>
    string Configure(SessionOptions options);

    /// <summary>Whether a session the chosen provider cannot create (no usable device) is created on CPU instead.</summary>
    bool FallsBackToCpu { get; }
}

/// <summary>The function app's choice: in-process serving is CPU only (its host carries the CPU runtime).</summary>
public sealed class CpuExecutionProvider : IExecutionProviderSelector
{
    public string Configure(SessionOptions options) => ExecutionProviders.Cpu;

    public bool FallsBackToCpu => false;
}

/// <summary>
/// The GPU tier's choice. With <c>auto</c>, CUDA when the native CUDA provider loads (the CUDA and cuDNN libraries
/// are present), otherwise CPU in the same process: one binary serves on a GPU replica and on a laptop.
/// </summary>
public sealed class PreferredExecutionProvider(string preference, int deviceId, ILogger<PreferredExecutionProvider> logger) : IExecutionProviderSelector
{
    private int _cudaUnavailableLogged;

    public bool FallsBackToCpu => string.Equals(preference, ExecutionProviders.Auto, StringComparison.OrdinalIgnoreCase);

    public string Configure(SessionOptions options)
    {
        if (string.Equals(preference, ExecutionProviders.Cpu, StringComparison.OrdinalIgnoreCase))
        {
            return ExecutionProviders.Cpu;
        }

        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
            return ExecutionProviders.Cuda;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException
                                  && !string.Equals(preference, ExecutionProviders.Cuda, StringComparison.OrdinalIgnoreCase))
        {
            if (Interlocked.Exchange(ref _cudaUnavailableLogged, 1) == 0)
            {
                logger.LogWarning("CUDA execution provider unavailable ({Reason}); sessions run on CPU", e.Message);
            }

            return ExecutionProviders.Cpu;
        }
    }
}
