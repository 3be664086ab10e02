namespace Stratus.Core.Models;

/// <summary>What a model predicts; decides which metrics and friendly outputs apply.</summary>
public enum ModelTask
{
    Other,
    BinaryClassification,
    MulticlassClassification,
    Regression,
}

/// <summary>Where a model runs: in-process ONNX Runtime, or the dedicated GPU tier.</summary>
public enum ServingTier
{
    Cpu,
    Gpu,
}
