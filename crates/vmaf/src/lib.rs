//! Pure-Rust VMAF (integer VIF/ADM/motion + SVM), PSNR, SSIM, MS-SSIM matching libvmaf
