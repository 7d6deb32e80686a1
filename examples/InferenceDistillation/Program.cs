Console.WriteLine("InferenceDistillation: being added."); return 0;
